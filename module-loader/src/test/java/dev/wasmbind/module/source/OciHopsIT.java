package dev.wasmbind.module.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wasmbind.module.source.FetchException.Reason;
import dev.wasmbind.module.testing.TestWasm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every hop of an OCI pull beyond the registry itself: the token realm a Bearer challenge names and
 * the storage a blob request is redirected to. A registry, a token service and a blob store as real
 * HTTP servers on loopback; the registry is reached as {@code 127.0.0.1}, the other two as {@code
 * localhost}, which the test guard can block.
 */
class OciHopsIT {

    private static final byte[] WASM = TestWasm.emptyCommand();
    private static final String LAYER_DIGEST = "sha256:" + Digests.sha256Hex(WASM);

    private HttpServer registry;
    private HttpServer tokens;
    private HttpServer storage;

    /** Authorization seen per server ("" when none); absent when the server got no request. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    @BeforeEach
    void startServers() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        tokens = HttpServer.create(loopback, 0);
        tokens.createContext(
                "/token",
                ex -> {
                    record(ex, "token");
                    send(ex, 200, "{\"token\":\"reg-t0ken\"}".getBytes(StandardCharsets.UTF_8));
                });
        storage = HttpServer.create(loopback, 0);
        storage.createContext(
                "/blob",
                ex -> {
                    record(ex, "storage");
                    send(ex, 200, WASM);
                });
        registry = HttpServer.create(loopback, 0);
        registry.createContext(
                "/v2/",
                ex -> {
                    String auth = ex.getRequestHeaders().getFirst("Authorization");
                    if (!"Bearer reg-t0ken".equals(auth)) {
                        ex.getResponseHeaders()
                                .set(
                                        "WWW-Authenticate",
                                        "Bearer realm=\"http://localhost:"
                                                + tokens.getAddress().getPort()
                                                + "/token\",service=\"test\"");
                        send(ex, 401, new byte[0]);
                        return;
                    }
                    String path = ex.getRequestURI().getPath();
                    if (path.contains("/manifests/")) {
                        send(ex, 200, manifest().getBytes(StandardCharsets.UTF_8));
                    } else if (path.endsWith("/blobs/" + LAYER_DIGEST)) {
                        record(ex, "registry-blob");
                        ex.getResponseHeaders()
                                .set(
                                        "Location",
                                        "http://localhost:"
                                                + storage.getAddress().getPort()
                                                + "/blob");
                        send(ex, 307, new byte[0]);
                    } else {
                        send(ex, 404, new byte[0]);
                    }
                });
        for (HttpServer server : List.of(tokens, storage, registry)) {
            server.start();
        }
    }

    @AfterEach
    void stopServers() {
        for (HttpServer server : List.of(tokens, storage, registry)) {
            server.stop(0);
        }
    }

    private String registryHost() {
        return "127.0.0.1:" + registry.getAddress().getPort();
    }

    private ModuleSource.Fetched pull(AddressGuard guard) throws FetchException {
        OciSource source =
                OciSource.of(
                        FetchPolicy.builder()
                                .withGuard(guard)
                                .withInsecureRegistries(Set.of(registryHost()))
                                .withRequestTimeout(Duration.ofSeconds(20))
                                .build());
        return source.fetch(
                FetchRequest.of(URI.create("oci://" + registryHost() + "/wasm/hello:v1")), 1 << 20);
    }

    @Test
    void shouldGetATokenFromTheRealmAndKeepItFromTheBlobStore() throws Exception {
        List<URI> checked = new CopyOnWriteArrayList<>();

        ModuleSource.Fetched fetched = pull(checked::add);

        assertThat(fetched.bytes()).isEqualTo(WASM);
        assertThat(seen.get("registry-blob")).isEqualTo("Bearer reg-t0ken");
        assertThat(seen.get("storage")).isEmpty();
        assertThat(checked)
                .extracting(URI::getHost)
                .contains("127.0.0.1", "localhost")
                .hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldPassTheTokenRealmThroughTheGuard() {
        assertThatThrownBy(() -> pull(blocking("localhost")))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BLOCKED_ADDRESS))
                .hasMessageContaining("localhost blocked");
        assertThat(seen).doesNotContainKey("token");
    }

    @Test
    void shouldPassTheBlobRedirectThroughTheGuard() {
        AddressGuard noStorage =
                url -> {
                    if (url.getPort() == storage.getAddress().getPort()) {
                        throw new FetchException(Reason.BLOCKED_ADDRESS, "storage blocked");
                    }
                };

        assertThatThrownBy(() -> pull(noStorage))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BLOCKED_ADDRESS))
                .hasMessageContaining("storage blocked");
        assertThat(seen).containsKey("registry-blob").doesNotContainKey("storage");
    }

    private static AddressGuard blocking(String host) {
        return url -> {
            if (url.getHost().equals(host)) {
                throw new FetchException(Reason.BLOCKED_ADDRESS, host + " blocked");
            }
        };
    }

    private static String manifest() {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\""
                + OciSource.WASM_CONFIG_MEDIA_TYPE
                + "\",\"digest\":\"sha256:"
                + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/wasm\",\"digest\":\""
                + LAYER_DIGEST
                + "\",\"size\":"
                + WASM.length
                + "}]}";
    }

    private void record(HttpExchange exchange, String who) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        seen.put(who, auth == null ? "" : auth);
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
}
