package dev.wasmbind.sidecar.wasihttp;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wasmbind.sidecar.runtime.GuestFailure;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.RunSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The http.wasm guest calling a real HTTP server on 127.0.0.1 through the wasi-http host ABI. */
class OutboundHttpIT {

    private static final GuestRunner RUNNER = new GuestRunner();
    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static HttpServer server;
    private static String authority;

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hello", e -> answer(e, 200, "hello from the host"));
        server.createContext(
                "/echo",
                e ->
                        answer(
                                e,
                                201,
                                e.getRequestMethod()
                                        + " "
                                        + new String(
                                                e.getRequestBody().readAllBytes(),
                                                StandardCharsets.UTF_8)
                                        + " ua="
                                        + e.getRequestHeaders().getFirst("User-agent")));
        server.createContext("/big", e -> answer(e, 200, "x".repeat(10_000)));
        server.createContext("/again", e -> redirect(e, 307, "/echo"));
        server.createContext("/see-other", e -> redirect(e, 303, "/echo"));
        server.createContext("/away", e -> redirect(e, 302, "http://169.254.169.254/latest/"));
        server.createContext(
                "/slow",
                e -> {
                    try {
                        NEVER.await();
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    answer(e, 200, "late");
                });
        server.createContext("/", e -> answer(e, 404, "no such page"));
        server.start();
        authority = "127.0.0.1:" + server.getAddress().getPort();
        OutboundMetrics.bindTo(METERS);
    }

    @AfterAll
    static void stopServer() {
        NEVER.countDown();
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void redirect(HttpExchange exchange, int status, String location)
            throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static RunSettings settings(String binding, List<String> allowed, boolean strict) {
        return RunSettings.builder("http")
                .withStrictSandbox(strict)
                .withOutbound(
                        new OutboundPolicy(binding, allowed, strict, Duration.ofSeconds(5), 4096))
                .build();
    }

    private static String call(RunSettings settings, String stdin, String... args)
            throws GuestFailure {
        return new String(
                RUNNER.run(
                        compiled("http"),
                        settings,
                        stdin.getBytes(StandardCharsets.UTF_8),
                        List.of(args)),
                StandardCharsets.UTF_8);
    }

    private static double counted(String binding, String outcome) {
        var counter =
                METERS.find("wasmbind.outbound.requests")
                        .tags("binding", binding, "outcome", outcome)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldGetAPageFromAnAllowedHost() throws Exception {
        String out =
                call(settings("get", List.of(authority), false), "", "GET", authority, "/hello");
        assertThat(out).isEqualTo("status 200\ncontent-type text/plain\nhello from the host");
        assertThat(counted("get", "sent")).isEqualTo(1);
    }

    @Test
    void shouldPostTheBodyAndHeaders() throws Exception {
        String out =
                call(
                        settings("post", List.of("127.0.0.1"), false),
                        "{\"order\":7}",
                        "POST",
                        authority,
                        "/echo?x=1");
        assertThat(out)
                .isEqualTo(
                        "status 201\ncontent-type text/plain\nPOST {\"order\":7}"
                                + " ua=wasmbind-test/1");
    }

    @Test
    void shouldFollowA307WithTheSameMethodAndBodyAsGoDoes() throws Exception {
        String out =
                call(
                        settings("again", List.of("127.0.0.1"), false),
                        "kept",
                        "POST",
                        authority,
                        "/again");
        assertThat(out).endsWith("POST kept ua=wasmbind-test/1");
    }

    @Test
    void shouldTurnAPostIntoAGetOnA303AsGoDoes() throws Exception {
        String out =
                call(
                        settings("other", List.of("127.0.0.1"), false),
                        "dropped",
                        "POST",
                        authority,
                        "/see-other");
        assertThat(out).endsWith("GET  ua=wasmbind-test/1");
    }

    @Test
    void shouldCheckEveryRedirectAgainstTheGuard() {
        assertThatThrownBy(
                        () ->
                                call(
                                        settings("away", List.of("*"), false),
                                        "",
                                        "GET",
                                        authority,
                                        "/away"))
                .hasMessageContaining("link-local");
        assertThat(counted("away", "refused")).isEqualTo(1);
    }

    @Test
    void shouldPassA404ToTheGuest() throws Exception {
        String out = call(settings("missing", List.of("*"), false), "", "GET", authority, "/nope");
        assertThat(out).startsWith("status 404\n").endsWith("no such page");
    }

    @Test
    void shouldRefuseAHostNotInAllowedHosts() {
        assertThatThrownBy(
                        () ->
                                call(
                                        settings("refused", List.of("example.com"), false),
                                        "",
                                        "GET",
                                        authority,
                                        "/hello"))
                .isInstanceOf(GuestFailure.class)
                .hasMessageContaining("request failed")
                .hasMessageContaining(
                        "outbound HTTP: host 127.0.0.1:"
                                + server.getAddress().getPort()
                                + " is not in spec.outbound.allowedHosts of binding refused");
        assertThat(counted("refused", "refused")).isEqualTo(1);
    }

    @Test
    void shouldRefuseEverythingWithoutAllowedHosts() {
        assertThatThrownBy(
                        () -> call(settings("none", List.of(), false), "", "GET", authority, "/"))
                .hasMessageContaining("the binding has no outbound access");
    }

    @Test
    void shouldRefuseOutboundHttpInStrictMode() {
        assertThatThrownBy(
                        () ->
                                call(
                                        settings("strict", List.of("*"), true),
                                        "",
                                        "GET",
                                        authority,
                                        "/"))
                .hasMessageContaining("refused in strictSandbox mode");
        assertThat(counted("strict", "refused")).isEqualTo(1);
    }

    @Test
    void shouldRefuseLinkLocalAddressesWhateverIsAllowed() {
        assertThatThrownBy(
                        () ->
                                call(
                                        settings("metadata", List.of("*"), false),
                                        "",
                                        "GET",
                                        "169.254.169.254",
                                        "/latest/meta-data/"))
                .hasMessageContaining("link-local");
    }

    @Test
    void shouldStopARequestAtTheBindingsTimeout() {
        RunSettings settings =
                RunSettings.builder("http")
                        .withOutbound(
                                new OutboundPolicy(
                                        "slow", List.of("*"), false, Duration.ofMillis(300), 4096))
                        .build();
        assertThatThrownBy(() -> call(settings, "", "GET", authority, "/slow"))
                .hasMessageContaining("timed out after 300 ms");
        assertThat(counted("slow", "failed")).isEqualTo(1);
    }

    @Test
    void shouldRefuseAResponseLargerThanTheLimit() {
        assertThatThrownBy(
                        () ->
                                call(
                                        settings("big", List.of("*"), false),
                                        "",
                                        "GET",
                                        authority,
                                        "/big"))
                .hasMessageContaining("larger than 4096 bytes");
    }
}
