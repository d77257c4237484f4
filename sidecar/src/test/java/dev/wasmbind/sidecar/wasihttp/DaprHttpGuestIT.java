package dev.wasmbind.sidecar.wasihttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dapr's own wasi-http test, through the standalone sidecar over HTTP: {@code dapr-http.wasm}
 * imports exactly what components-contrib's {@code bindings/wasm/testdata/http} guest (TinyGo 0.28
 * with dev-wasm-go's client) imports and makes its calls; it GETs the URL given in {@code
 * metadata.args} from a real server on 127.0.0.1 that answers as Dapr's {@code Test_InvokeHttp}
 * handler does, and the answers are the ones that test expects.
 */
@ExtendWith(VertxExtension.class)
class DaprHttpGuestIT {

    private static final Path MODULE =
            Path.of("src/test/resources/wasm/dapr-http.wasm").toAbsolutePath();

    /**
     * The import section of Dapr's TinyGo guest (components-contrib {@code
     * bindings/wasm/testdata/http/main.wasm}, read with {@code wasm-objdump -x}), in its order.
     */
    private static final List<String> TINYGO_GUEST_IMPORTS =
            List.of(
                    "wasi_snapshot_preview1.fd_write (i32, i32, i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.poll_oneoff (i32, i32, i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.clock_time_get (i32, i64, i32) -> (i32)",
                    "wasi_snapshot_preview1.proc_exit (i32) -> ()",
                    "wasi_snapshot_preview1.args_sizes_get (i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.args_get (i32, i32) -> (i32)",
                    "streams.read (i32, i64, i32) -> ()",
                    "streams.drop-input-stream (i32) -> ()",
                    "streams.write (i32, i32, i32, i32) -> ()",
                    "types.new-fields (i32, i32) -> (i32)",
                    "types.fields-entries (i32, i32) -> ()",
                    "types.drop-outgoing-request (i32) -> ()",
                    "types.new-outgoing-request (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32,"
                            + " i32, i32, i32, i32) -> (i32)",
                    "types.outgoing-request-write (i32, i32) -> ()",
                    "types.drop-incoming-response (i32) -> ()",
                    "types.incoming-response-status (i32) -> (i32)",
                    "types.incoming-response-headers (i32) -> (i32)",
                    "types.incoming-response-consume (i32, i32) -> ()",
                    "types.future-incoming-response-get (i32, i32) -> ()",
                    "default-outgoing-HTTP.handle (i32, i32, i32, i32, i32, i32, i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.fd_close (i32) -> (i32)",
                    "wasi_snapshot_preview1.fd_fdstat_get (i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.fd_pread (i32, i32, i32, i64, i32) -> (i32)",
                    "wasi_snapshot_preview1.fd_read (i32, i32, i32, i32) -> (i32)",
                    "wasi_snapshot_preview1.random_get (i32, i32) -> (i32)");

    @TempDir static Path resources;

    private static HttpServer server;
    private static String serverUrl;
    private static StandaloneSidecar sidecar;
    private static WebClient client;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", DaprHttpGuestIT::daprTestHandler);
        server.start();
        serverUrl = "http://127.0.0.1:" + server.getAddress().getPort();

        // Dapr's test: a Component with the module's url and nothing else (allow-all, as Dapr).
        Files.writeString(
                resources.resolve("component.yaml"),
                """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: dapr-http
                spec:
                  type: bindings.wasm
                  version: v1
                  metadata:
                  - name: url
                    value: "file://%s"
                """
                        .formatted(MODULE));
        Files.writeString(
                resources.resolve("bindings.yaml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: loopback-only}
                spec:
                  url: "file://%s"
                  outbound: {allowedHosts: ["127.0.0.1"]}
                  limits: {maxConcurrency: 32}
                ---
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: elsewhere-only}
                spec:
                  url: "file://%s"
                  outbound: {allowedHosts: ["example.com"]}
                """
                        .formatted(MODULE, MODULE));
        sidecar = StandaloneSidecar.builder(resources).withPort(0).start();
        client =
                WebClient.create(
                        vertx,
                        new WebClientOptions()
                                .setDefaultHost("127.0.0.1")
                                .setDefaultPort(sidecar.port())
                                .setMaxPoolSize(32));
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    /**
     * Dapr's handler: 404 "Not found" for /unknown, else 200 with the request's (decoded) path;
     * here also a redirect, a header with two values, and the query echoed after the path.
     */
    private static void daprTestHandler(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/moved")) {
            exchange.getResponseHeaders().add("Location", "/landed");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
            return;
        }
        String query = exchange.getRequestURI().getRawQuery();
        String body = path.equals("/unknown") ? "Not found" : path;
        if (query != null) {
            body += " query=" + query;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("X-Multi", "first");
        exchange.getResponseHeaders().add("X-Multi", "second");
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(path.equals("/unknown") ? 404 : 200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static CompletableFuture<HttpResponse<Buffer>> invoke(String binding, String args) {
        JsonObject request =
                new JsonObject()
                        .put("operation", "execute")
                        .put("metadata", new JsonObject().put("args", args));
        return client.post("/v1.0/bindings/" + binding)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(request.toBuffer())
                .toCompletionStage()
                .toCompletableFuture();
    }

    private static String output(String binding, String args) throws Exception {
        HttpResponse<Buffer> response = invoke(binding, args).get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
        return response.bodyAsString();
    }

    @Test
    void shouldImportExactlyWhatDaprsTinyGoGuestImportsAndFindEachInTheHost() throws Exception {
        WasmModule module = Parser.parse(MODULE);
        List<String> imports = new ArrayList<>();
        Map<String, FunctionType> needed = new HashMap<>();
        module.importSection().stream()
                .forEach(
                        i -> {
                            FunctionType type =
                                    module.typeSection().getType(((FunctionImport) i).typeIndex());
                            imports.add(i.module() + "." + i.name() + " " + render(type));
                            needed.put(i.module() + "." + i.name(), type);
                        });
        assertThat(imports).containsExactlyElementsOf(TINYGO_GUEST_IMPORTS);

        Map<String, FunctionType> offered = new HashMap<>();
        try (WasiPreview1 wasi = WasiPreview1.builder().build()) {
            for (ImportFunction f : wasi.toHostFunctions()) {
                offered.put(f.module() + "." + f.name(), f.functionType());
            }
        }
        var names = needed.keySet().stream().map(n -> n.substring(n.indexOf('.') + 1));
        for (ImportFunction f :
                WasiHttpSession.open(OutboundPolicy.NONE)
                        .hostFunctions(names.collect(Collectors.toSet()))) {
            offered.put(f.module() + "." + f.name(), f.functionType());
        }
        needed.forEach(
                (name, type) ->
                        assertThat(offered.get(name))
                                .as(name)
                                .isNotNull()
                                .satisfies(t -> assertThat(t.typesMatch(type)).isTrue()));
    }

    private static String render(FunctionType type) {
        return "("
                + type.params().stream()
                        .map(DaprHttpGuestIT::name)
                        .collect(Collectors.joining(", "))
                + ") -> ("
                + type.returns().stream()
                        .map(DaprHttpGuestIT::name)
                        .collect(Collectors.joining(", "))
                + ")";
    }

    private static String name(ValType type) {
        return type.equals(ValType.I32) ? "i32" : type.equals(ValType.I64) ? "i64" : "" + type;
    }

    @Test
    void shouldAnswerDaprsHttpTestTwice() throws Exception {
        // Test_InvokeHttp "http": executed twice to prove idempotency, as Dapr's test does.
        for (int i = 0; i < 2; i++) {
            assertThat(output("dapr-http", serverUrl)).isEqualTo("Status: 200\nBody: \n/\n");
        }
    }

    @Test
    void shouldAnswerDaprsUnknownTestTwice() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertThat(output("dapr-http", serverUrl + "/unknown"))
                    .isEqualTo("Status: 404\nBody: \nNot found\n");
        }
    }

    @Test
    void shouldKeepConcurrentCallsApartLikeDaprsEnsureConcurrency() throws Exception {
        // TestEnsureConcurrency: each call GETs its own path and must see only its own answer.
        List<CompletableFuture<HttpResponse<Buffer>>> calls =
                IntStream.range(0, 32)
                        .mapToObj(i -> invoke("loopback-only", serverUrl + "/" + i))
                        .toList();
        for (int i = 0; i < calls.size(); i++) {
            HttpResponse<Buffer> response = calls.get(i).get(120, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
            assertThat(response.bodyAsString()).isEqualTo("Status: 200\nBody: \n/" + i + "\n");
        }
    }

    @Test
    void shouldGiveTheGuestGoCanonicalHeaderNamesWithTheFirstValue() throws Exception {
        // The JDK client reads header names in lower case; a Go guest's Header.Get needs Go's.
        assertThat(output("loopback-only", serverUrl + "/h,Content-Type"))
                .endsWith("\nContent-Type: text/plain; charset=utf-8\n");
        assertThat(output("loopback-only", serverUrl + "/h,X-Multi"))
                .endsWith("\nX-Multi: first\n");
    }

    @Test
    void shouldFollowARedirectAsGosDefaultClientDoes() throws Exception {
        assertThat(output("loopback-only", serverUrl + "/moved"))
                .isEqualTo("Status: 200\nBody: \n/landed\n");
    }

    @Test
    void shouldSendTheQueryAsAQueryAndAnEscapedPath() throws Exception {
        // dev-wasm-go passes the decoded path and the raw query without "?"
        assertThat(output("loopback-only", serverUrl + "/a%20b/%C3%A9?x=1&y=2"))
                .isEqualTo("Status: 200\nBody: \n/a b/\u00e9 query=x=1&y=2\n");
    }

    @Test
    void shouldEndAsTheTinyGoGuestEndsWhenTheHostIsNotAllowed() throws Exception {
        HttpResponse<Buffer> response =
                invoke("elsewhere-only", serverUrl + "/").get(60, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.bodyAsJsonObject().getString("message"))
                .contains("unreachable")
                .contains(
                        "outbound HTTP: host 127.0.0.1:"
                                + server.getAddress().getPort()
                                + " is not in spec.outbound.allowedHosts of binding elsewhere-only");
    }
}
