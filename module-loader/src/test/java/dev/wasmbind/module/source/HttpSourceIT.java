package dev.wasmbind.module.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wasmbind.module.source.FetchException.Reason;
import dev.wasmbind.module.testing.TestCa;
import dev.wasmbind.module.testing.TestWasm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HttpSource against real HTTP and HTTPS servers on 127.0.0.1 (JDK httpserver). */
class HttpSourceIT {

    private static final byte[] WASM = TestWasm.emptyCommand();

    private static HttpServer http;

    /** A second server on the same host, another port: another origin. */
    private static HttpServer other;

    private static HttpsServer https;
    private static TestCa tls;

    /** Authorization header seen per path ("" when none). */
    private static final Map<String, String> authSeen = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServers() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        http = HttpServer.create(loopback, 0);
        tls = TestCa.forLoopback();
        https = HttpsServer.create(loopback, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        for (HttpServer server : List.of(http, https)) {
            server.createContext("/m.wasm", exchange -> send(exchange, 200, WASM));
            server.createContext("/missing.wasm", exchange -> send(exchange, 404, new byte[0]));
            server.createContext("/private.wasm", exchange -> send(exchange, 401, new byte[0]));
            server.createContext("/broken.wasm", exchange -> send(exchange, 500, new byte[0]));
            server.createContext("/loop", exchange -> redirect(exchange, "/loop"));
            server.createContext(
                    "/slow-headers",
                    exchange -> {
                        sleep(5_000);
                        send(exchange, 200, WASM);
                    });
            server.createContext(
                    "/slow-body",
                    exchange -> {
                        exchange.sendResponseHeaders(200, WASM.length);
                        OutputStream out = exchange.getResponseBody();
                        out.write(WASM, 0, 4);
                        out.flush();
                        sleep(5_000);
                        exchange.close();
                    });
            server.createContext(
                    "/declared-big",
                    exchange -> {
                        // Serves the whole declared body, as a real server would: closing at once
                        // could reach a busy client before it has read the headers.
                        exchange.sendResponseHeaders(200, 1_000_000);
                        try (OutputStream out = exchange.getResponseBody()) {
                            byte[] chunk = new byte[10_000];
                            for (int sent = 0; sent < 1_000_000; sent += chunk.length) {
                                out.write(chunk);
                            }
                        } catch (IOException clientLeft) {
                            // the client refused the declared length and closed the connection
                        }
                    });
            server.createContext(
                    "/chunked-big",
                    exchange -> {
                        exchange.sendResponseHeaders(200, 0); // chunked: no length declared
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(new byte[64 * 1024]);
                        }
                    });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }
        other = HttpServer.create(loopback, 0);
        other.createContext(
                "/recorded",
                exchange -> {
                    record(exchange, "/other-port");
                    send(exchange, 200, WASM);
                });
        other.start();
        http.createContext(
                "/to-other-port",
                exchange -> {
                    record(exchange, "/to-other-port");
                    redirect(
                            exchange,
                            "http://127.0.0.1:" + other.getAddress().getPort() + "/recorded");
                });
        http.createContext(
                "/bad-location", exchange -> redirect(exchange, "http://exa mple.com/%zz"));
        http.createContext("/to-m", exchange -> redirect(exchange, "/m.wasm"));
        http.createContext(
                "/to-localhost",
                exchange ->
                        redirect(
                                exchange,
                                "http://localhost:" + http.getAddress().getPort() + "/recorded"));
        http.createContext(
                "/authed-redirect",
                exchange -> {
                    record(exchange, "/authed-redirect");
                    redirect(
                            exchange,
                            "http://localhost:" + http.getAddress().getPort() + "/recorded");
                });
        http.createContext(
                "/recorded",
                exchange -> {
                    record(exchange, "/recorded");
                    send(exchange, 200, WASM);
                });
    }

    @AfterAll
    static void stopServers() {
        http.stop(0);
        https.stop(0);
        other.stop(0);
    }

    /** Generous timeouts: the machine may be busy; only the timeout test uses short ones. */
    private static FetchPolicy.Builder policy() {
        return FetchPolicy.builder()
                .withConnectTimeout(Duration.ofSeconds(20))
                .withRequestTimeout(Duration.ofSeconds(20))
                .withMaxRedirects(3);
    }

    private static URI httpUrl(String path) {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
    }

    private static URI httpsUrl(String path) {
        return URI.create("https://127.0.0.1:" + https.getAddress().getPort() + path);
    }

    private static ModuleSource.Fetched fetch(HttpSource source, URI url, long maxBytes)
            throws FetchException {
        return source.fetch(FetchRequest.of(url), maxBytes);
    }

    @Test
    void shouldFetchOverHttp() throws Exception {
        var fetched = fetch(HttpSource.of(policy().build()), httpUrl("/m.wasm"), 1 << 20);
        assertThat(fetched.bytes()).isEqualTo(WASM);
        assertThat(fetched.resolvedFrom()).isEqualTo(httpUrl("/m.wasm").toString());
    }

    @Test
    void shouldFetchOverHttpsFromATrustedServer() throws Exception {
        var fetched =
                fetch(
                        HttpSource.of(policy().withSslContext(tls.trustingClientContext()).build()),
                        httpsUrl("/m.wasm"),
                        1 << 20);
        assertThat(fetched.bytes()).isEqualTo(WASM);
    }

    @Test
    void shouldRefuseAnHttpsServerWhoseCertificateIsNotTrusted() {
        assertThatThrownBy(
                        () -> fetch(HttpSource.of(policy().build()), httpsUrl("/m.wasm"), 1 << 20))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.IO_ERROR))
                .hasMessageContaining("TLS with 127.0.0.1 failed");
    }

    @Test
    void shouldFollowRedirectsAndAskTheGuardAtEveryHop() throws Exception {
        List<URI> checked = new CopyOnWriteArrayList<>();
        var fetched =
                fetch(
                        HttpSource.of(policy().withGuard(checked::add).build()),
                        httpUrl("/to-m"),
                        1 << 20);

        assertThat(fetched.bytes()).isEqualTo(WASM);
        assertThat(fetched.resolvedFrom()).endsWith("/m.wasm");
        assertThat(checked).containsExactly(httpUrl("/to-m"), httpUrl("/m.wasm"));
    }

    @Test
    void shouldRefuseARedirectTheGuardBlocks() {
        AddressGuard noLocalhostName =
                url -> {
                    if (url.getHost().equals("localhost")) {
                        throw new FetchException(Reason.BLOCKED_ADDRESS, "localhost is blocked");
                    }
                };
        authSeen.remove("/recorded");

        assertThatThrownBy(
                        () ->
                                fetch(
                                        HttpSource.of(policy().withGuard(noLocalhostName).build()),
                                        httpUrl("/to-localhost"),
                                        1 << 20))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BLOCKED_ADDRESS));
        assertThat(authSeen).doesNotContainKey("/recorded");
    }

    @Test
    void shouldStopAfterTheRedirectLimit() {
        assertThatThrownBy(() -> fetch(HttpSource.of(policy().build()), httpUrl("/loop"), 1 << 20))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_RESPONSE))
                .hasMessageContaining("more than 3 redirects");
    }

    @Test
    void shouldSendCredentialsOnlyToTheHostTheyWereGivenFor() throws Exception {
        HttpSource.of(policy().build())
                .fetch(
                        FetchRequest.of(httpUrl("/authed-redirect"))
                                .withCredentials(
                                        Credentials.bearer("t0ken").forHosts(Set.of("127.0.0.1"))),
                        1 << 20);

        assertThat(authSeen.get("/authed-redirect")).isEqualTo("Bearer t0ken");
        assertThat(authSeen.get("/recorded")).isEmpty();
    }

    @Test
    void shouldNotSendCredentialsAlongARedirectToAnotherPortOfTheSameHost() throws Exception {
        HttpSource.of(policy().build())
                .fetch(
                        FetchRequest.of(httpUrl("/to-other-port"))
                                .withCredentials(
                                        Credentials.basic("u", "p").forHosts(Set.of("127.0.0.1"))),
                        1 << 20);

        assertThat(authSeen.get("/to-other-port")).startsWith("Basic ");
        assertThat(authSeen.get("/other-port")).isEmpty();
    }

    @Test
    void shouldRefuseCredentialsWhoseOwnerDidNotAllowTheHost() {
        authSeen.remove("/recorded");
        int port = http.getAddress().getPort();
        Credentials elsewhere =
                Credentials.bearer("t0ken")
                        .forHosts(Set.of("127.0.0.1:" + (port + 1), "modules.example"));
        FetchRequest request = FetchRequest.of(httpUrl("/recorded")).withCredentials(elsewhere);

        assertThatThrownBy(() -> HttpSource.of(policy().build()).fetch(request, 1 << 20))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("may not be sent to 127.0.0.1:" + port);
        assertThat(authSeen).doesNotContainKey("/recorded");
    }

    @Test
    void shouldSayBadResponseForAMalformedRedirect() {
        assertReason(httpUrl("/bad-location"), Reason.BAD_RESPONSE, "malformed Location");
    }

    @Test
    void shouldNameTheHttpStatus() {
        assertReason(httpUrl("/missing.wasm"), Reason.NOT_FOUND, "404");
        assertReason(httpUrl("/private.wasm"), Reason.AUTH_FAILED, "spec.pullSecret");
        assertReason(httpUrl("/broken.wasm"), Reason.BAD_RESPONSE, "500");
    }

    @Test
    void shouldTimeOutOnSlowHeadersAndOnASlowBody() {
        HttpSource impatient =
                HttpSource.of(policy().withRequestTimeout(Duration.ofMillis(700)).build());
        for (String path : List.of("/slow-headers", "/slow-body")) {
            assertThatThrownBy(() -> fetch(impatient, httpUrl(path), 1 << 20))
                    .isInstanceOfSatisfying(
                            FetchException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                    .hasMessageContaining("timed out");
        }
    }

    @Test
    void shouldCapTheSizeWhetherDeclaredOrStreamed() {
        assertThatThrownBy(
                        () ->
                                fetch(
                                        HttpSource.of(policy().build()),
                                        httpUrl("/declared-big"),
                                        1024))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("1000000 bytes");
        assertThatThrownBy(
                        () -> fetch(HttpSource.of(policy().build()), httpUrl("/chunked-big"), 1024))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    }

    private static void assertReason(URI url, Reason reason, String messagePart) {
        assertThatThrownBy(() -> fetch(HttpSource.of(policy().build()), url, 1 << 20))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    private static void record(HttpExchange exchange, String path) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authSeen.put(path, auth == null ? "" : auth);
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        send(exchange, 302, new byte[0]);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
