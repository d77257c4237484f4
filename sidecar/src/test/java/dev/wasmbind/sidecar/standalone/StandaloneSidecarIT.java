package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The standalone sidecar over real HTTP on 127.0.0.1: every answer and error path of Dapr's
 * output-binding API, the limits, and Go-JSON parity of what reaches the guest.
 */
@ExtendWith(VertxExtension.class)
class StandaloneSidecarIT {

    private static final Path TEST_MODULES = Path.of("src/test/resources/wasm").toAbsolutePath();
    private static final Path EXAMPLE_MODULES =
            Path.of("../examples/bindings/modules").toAbsolutePath().normalize();

    private static final Path DAPR_COMPONENT_EXAMPLE =
            Path.of("../examples/dapr-components/wasm.yaml");

    @TempDir static Path resources;

    private static StandaloneSidecar sidecar;
    private static WebClient client;

    @BeforeAll
    static void startSidecar(Vertx vertx) throws Exception {
        write("cat", "cat.wasm", "");
        write("cat-raw", "cat.wasm", "  rawData: true\n");
        write("env", "env.wasm", "  args: [\"--spec\"]\n  env:\n    GREETING: hi\n");
        write("small", "cat.wasm", "  limits:\n    maxRequestBytes: 16\n");
        write(
                "one-at-a-time",
                "sleep.wasm",
                "  limits:\n    maxConcurrency: 1\n    timeout: 20s\n");
        write("runaway", "loop.wasm", "  limits:\n    timeout: 300ms\n");
        write("fail", "fail.wasm", "");
        write("big", "big-output.wasm", "  limits:\n    maxResponseBytes: 1Ki\n");
        write("grow", "grow.wasm", "  limits:\n    maxMemory: 4Mi\n");
        write("strict", "clock-random.wasm", "  strictSandbox: true\n");
        write("missing", "no-such-module.wasm", "");
        write("reactor", "reactor.wasm", "");
        Files.writeString(
                resources.resolve("hello.yaml"),
                """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: skipped}
                ---
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: hello}
                spec: {url: "file://%s/hello.wasm"}
                ---
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: hello-raw}
                spec: {url: "file://%s/hello.wasm", rawData: true}
                """
                        .formatted(EXAMPLE_MODULES, EXAMPLE_MODULES));
        // The Dapr component example, unchanged but for its cwd-relative path: it is written for
        // the repository root and failsafe runs in sidecar/.
        Files.writeString(
                resources.resolve("dapr-wasm.yaml"),
                Files.readString(DAPR_COMPONENT_EXAMPLE)
                        .replace("file://examples/", "file://../examples/"));
        Files.copy(
                DAPR_COMPONENT_EXAMPLE.resolveSibling("statestore.yaml"),
                resources.resolve("dapr-statestore.yaml"));
        sidecar = StandaloneSidecar.builder(resources).withPort(0).start();
        client =
                WebClient.create(
                        vertx,
                        new WebClientOptions()
                                .setDefaultHost("127.0.0.1")
                                .setDefaultPort(sidecar.port()));
    }

    @AfterAll
    static void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static void write(String name, String module, String extraSpec) throws Exception {
        String url =
                module.startsWith("no-such")
                        ? "file://" + module
                        : "file://" + TEST_MODULES.resolve(module);
        Files.writeString(
                resources.resolve(name + ".yaml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata:
                  name: %s
                spec:
                  url: "%s"
                %s"""
                        .formatted(name, url, extraSpec));
    }

    private static HttpResponse<Buffer> post(String binding, String body) throws Exception {
        return client.post("/v1.0/bindings/" + binding)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static HttpResponse<Buffer> get(String path) throws Exception {
        return client.get(path)
                .send()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static String execute(String dataJson) {
        return "{\"operation\":\"execute\",\"data\":" + dataJson + "}";
    }

    private static void assertDaprError(
            HttpResponse<Buffer> response, int status, String code, String message) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        JsonObject error = response.bodyAsJsonObject();
        assertThat(error.getString("errorCode")).isEqualTo(code);
        assertThat(error.getString("message")).isEqualTo(message);
    }

    @Test
    void shouldAnswerTheRequestOfDaprsDocumentationWithDaprdsBytes() throws Exception {
        // The wasm binding page's request; daprd hands "salaboy" to STDIN JSON-encoded.
        String body =
                "{\"operation\":\"execute\",\"metadata\":{\"args\":\"-ne,'print \\\"Hello, \\\";"
                        + " print'\"},\"data\":\"salaboy\"}";

        HttpResponse<Buffer> response = post("hello", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo("Hello, \"salaboy\"");
        assertThat(post("hello-raw", body).bodyAsString()).isEqualTo("Hello, salaboy");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "string|`\"salaboy\"`|`\"salaboy\"`",
                "object sorted|`{\"z\": 1, \"a\": {\"y\": [1, 2.50]}}`|`{\"a\":{\"y\":[1,2.5]},\"z\":1}`",
                "number|`1e21`|`1e+21`",
                "small number|`0.0000001`|`1e-7`",
                "unicode|`\"h\u00e9 \u4e16 \\ud83d\\ude00\"`|`\"h\u00e9 \u4e16 \ud83d\ude00\"`",
                "html|`\"<b>&</b>\"`|`\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\"`",
                "null|`null`|`null`",
            })
    void shouldHandDataToTheGuestJsonEncodedLikeGo(String kind, String data, String stdin)
            throws Exception {
        HttpResponse<Buffer> response = post("cat", execute(data));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().getBytes()).isEqualTo(stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldHandNullToTheGuestWhenDataIsAbsent() throws Exception {
        assertThat(post("cat", "{\"operation\":\"execute\"}").bodyAsString()).isEqualTo("null");
    }

    @Test
    void shouldWriteAStringRawWithRawData() throws Exception {
        assertThat(post("cat-raw", execute("\"<raw>\"")).bodyAsString()).isEqualTo("<raw>");
    }

    @Test
    void shouldAnswer200WithAnEmptyBodyWhenTheGuestPrintsNothing() throws Exception {
        HttpResponse<Buffer> response =
                post("big", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"0\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body() == null ? 0 : response.body().length()).isZero();
    }

    @Test
    void shouldAcceptPutLikePost() throws Exception {
        HttpResponse<Buffer> response =
                client.put("/v1.0/bindings/cat")
                        .sendBuffer(Buffer.buffer(execute("1")))
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);

        assertThat(response.bodyAsString()).isEqualTo("1");
    }

    @Test
    void shouldPassArgv0DefaultArgsRequestArgsAndEnv() throws Exception {
        HttpResponse<Buffer> response =
                post("env", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"a,b\"}}");

        assertThat(response.bodyAsString()).isEqualTo("GREETING=hi\nenv\n--spec\na\nb\n");
    }

    @Test
    void shouldRefuseABodyThatIsNotTheEnvelope() throws Exception {
        assertDaprError(
                post("cat", "{\"operation\":"),
                400,
                "ERR_MALFORMED_REQUEST",
                "failed deserializing HTTP body: unexpected end of JSON input");
        assertDaprError(
                post("cat", "{\"operation\":\"execute\",\"metadata\":{\"args\":[1]}}"),
                400,
                "ERR_MALFORMED_REQUEST",
                "failed deserializing HTTP body: json: cannot unmarshal array into Go struct field"
                        + " OutputBindingRequest.metadata of type string");
    }

    @Test
    void shouldAnswerAnUnknownBindingLikeDaprd() throws Exception {
        assertDaprError(
                post("ghost", execute("1")),
                500,
                "ERR_INVOKE_OUTPUT_BINDING",
                "error invoking output binding ghost: couldn't find output binding ghost");
    }

    @Test
    void shouldRefuseAnUnsupportedOperation() throws Exception {
        assertDaprError(
                post("cat", "{\"operation\":\"create\",\"data\":1}"),
                500,
                "ERR_INVOKE_OUTPUT_BINDING",
                "error invoking output binding cat: binding cat does not support operation create."
                        + " supported operations:execute");
    }

    @Test
    void shouldAnswerABindingThatFailedToLoadWithTheReason() throws Exception {
        HttpResponse<Buffer> missing = post("missing", execute("1"));
        HttpResponse<Buffer> reactor = post("reactor", execute("1"));

        assertThat(missing.statusCode()).isEqualTo(500);
        assertThat(missing.bodyAsJsonObject().getString("message"))
                .startsWith("error invoking output binding missing: binding missing is not loaded:")
                .contains("no-such-module.wasm does not exist");
        assertThat(reactor.bodyAsJsonObject().getString("message"))
                .contains("does not export function _start");
    }

    @Test
    void shouldReportANonZeroExitWithTheTailOfStderr() throws Exception {
        assertDaprError(
                post("fail", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"4,bad input\"}}"),
                500,
                "ERR_INVOKE_OUTPUT_BINDING",
                "error invoking output binding fail: module closed with exit_code(4); stderr: bad"
                        + " input");
    }

    @Test
    void shouldAnswer413ForABodyOverMaxRequestBytes() throws Exception {
        HttpResponse<Buffer> response = post("small", execute("\"more than sixteen bytes\""));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.bodyAsJsonObject().getString("message"))
                .contains("larger than limits.maxRequestBytes (16 bytes)");
    }

    @Test
    void shouldAnswer413ForAChunkedBodyOverMaxRequestBytes() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            var http = vertx.createHttpClient(new HttpClientOptions());
            int status =
                    http.request(
                                    new RequestOptions()
                                            .setMethod(HttpMethod.POST)
                                            .setHost("127.0.0.1")
                                            .setPort(sidecar.port())
                                            .setURI("/v1.0/bindings/small"))
                            .compose(
                                    request -> {
                                        request.setChunked(true);
                                        request.write(execute("\"0123456789"));
                                        return request.send(Buffer.buffer("0123456789\"}"));
                                    })
                            .map(response -> response.statusCode())
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS);

            assertThat(status).isEqualTo(413);
        } finally {
            vertx.close();
        }
    }

    @Test
    void shouldStopARunawayGuestAtItsTimeoutWhileOtherCallsAreServed() throws Exception {
        var runaway =
                client.post("/v1.0/bindings/runaway")
                        .sendBuffer(Buffer.buffer(execute("1")))
                        .toCompletionStage()
                        .toCompletableFuture();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(post("cat", execute(Integer.toString(i))).bodyAsString());
        }

        HttpResponse<Buffer> stopped = runaway.get(30, TimeUnit.SECONDS);

        assertThat(answers).containsExactly("0", "1", "2", "3", "4");
        assertDaprError(
                stopped,
                504,
                "ERR_INVOKE_OUTPUT_BINDING",
                "error invoking output binding runaway: timed out after 300ms (limits.timeout);"
                        + " the guest was stopped");
        assertThat(post("cat", execute("\"after\"")).bodyAsString()).isEqualTo("\"after\"");
    }

    @Test
    void shouldAnswer429WithRetryAfterBeyondMaxConcurrency() throws Exception {
        CompletableFuture<HttpResponse<Buffer>> first =
                client.post("/v1.0/bindings/one-at-a-time")
                        .sendBuffer(
                                Buffer.buffer(
                                        "{\"operation\":\"execute\",\"metadata\":{\"args\":\"1500\"}}"))
                        .toCompletionStage()
                        .toCompletableFuture();
        HttpResponse<Buffer> second;
        // The first call holds the only permit once the sidecar has its request; poll until
        // the second call is refused (never more than the first call's sleep).
        do {
            second =
                    post(
                            "one-at-a-time",
                            "{\"operation\":\"execute\",\"metadata\":{\"args\":\"0\"}}");
        } while (second.statusCode() == 200 && !first.isDone());

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.getHeader("Retry-After")).isEqualTo("1");
        assertThat(second.bodyAsJsonObject().getString("message"))
                .contains("maximum of 1 concurrent calls (limits.maxConcurrency)");
        assertThat(first.get(30, TimeUnit.SECONDS).bodyAsString()).isEqualTo("slept\n");
    }

    @Test
    void shouldStopAGuestWritingMoreThanMaxResponseBytes() throws Exception {
        HttpResponse<Buffer> response =
                post("big", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"5000\"}}");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.bodyAsJsonObject().getString("message"))
                .isEqualTo(
                        "error invoking output binding big: STDOUT exceeded limits.maxResponseBytes"
                                + " (1024 bytes); the guest was stopped");
    }

    @Test
    void shouldKeepAGuestUnderMaxMemory() throws Exception {
        HttpResponse<Buffer> within =
                post("grow", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"1\"}}");
        HttpResponse<Buffer> beyond =
                post("grow", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"8\"}}");

        assertThat(within.bodyAsString()).isEqualTo("ok\n");
        assertThat(beyond.statusCode()).isEqualTo(500);
        assertThat(beyond.bodyAsJsonObject().getString("message"))
                .contains("exit_code(1)")
                .contains("could not allocate 8 MiB");
    }

    @Test
    void shouldAnswerIdenticallyTwiceInStrictSandbox() throws Exception {
        String first = post("strict", execute("null")).bodyAsString();
        String second = post("strict", execute("null")).bodyAsString();

        // The wall clock's whole second is the real one (two calls can straddle a second).
        List<String> lines = first.lines().toList();
        assertThat(lines.subList(1, 4)).isEqualTo(second.lines().toList().subList(1, 4));
        assertThat(lines.get(3)).isEqualTo("538c7f96b164bf1b97bb9f4bb472e89f");
        // Dapr's wall clock: the first read is the whole second plus 1 ms.
        assertThat(Long.parseLong(lines.get(0)) % 1_000_000_000L).isEqualTo(1_000_000L);
        assertThat(lines.subList(1, 3)).containsExactly("0", "1000000");
    }

    private static HttpResponse<Buffer> postRaw(String binding, String query, byte[] body)
            throws Exception {
        return client.post("/v1.0/bindings/" + binding + query)
                .putHeader("Content-Type", "application/octet-stream")
                .sendBuffer(Buffer.buffer(body))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void shouldRoundTripEveryByteThroughTheBinaryForm() throws Exception {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }

        HttpResponse<Buffer> response = postRaw("cat", "", everyByte);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(response.body().getBytes()).isEqualTo(everyByte);
        // The JSON envelope stays what it was on the same binding.
        assertThat(post("cat", execute("\"x\"")).getHeader("Content-Type"))
                .isEqualTo("application/json");
    }

    @Test
    void shouldTakeOperationAndArgsOfTheBinaryFormFromTheQuery() throws Exception {
        HttpResponse<Buffer> response =
                postRaw("env", "?operation=execute&metadata.args=a,b", new byte[0]);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString())
                .isEqualTo(
                        post("env", "{\"operation\":\"execute\",\"metadata\":{\"args\":\"a,b\"}}")
                                .bodyAsString());
        assertThat(postRaw("env", "?operation=create", new byte[0]).statusCode()).isEqualTo(500);
    }

    @Test
    void shouldApplyTheLimitsToTheBinaryForm() throws Exception {
        HttpResponse<Buffer> response = postRaw("small", "", new byte[17]);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.bodyAsJsonObject().getString("message"))
                .contains("larger than limits.maxRequestBytes (16 bytes)");
        assertThat(postRaw("small", "", new byte[16]).body().getBytes()).hasSize(16);
    }

    @Test
    void shouldServeTheDaprComponentExampleLikeDaprd() throws Exception {
        HttpResponse<Buffer> response = post("wasm", execute("\"salaboy\""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).isEqualTo("Hello, \"salaboy\"");
        // The state store component next to it is skipped, not served.
        assertThat(post("statestore", execute("1")).statusCode()).isEqualTo(500);
    }

    @Test
    void shouldAnswerHealthzWith204() throws Exception {
        assertThat(get("/v1.0/healthz").statusCode()).isEqualTo(204);
        assertThat(get("/v1.0/healthz/outbound").statusCode()).isEqualTo(204);
    }

    @Test
    void shouldListBindingsAsWasmComponentsInMetadata() throws Exception {
        JsonObject metadata = get("/v1.0/metadata").bodyAsJsonObject();

        assertThat(metadata.getJsonArray("components").stream())
                .map(c -> ((JsonObject) c).getString("name"))
                .contains("cat", "hello", "strict")
                .doesNotContain("missing", "skipped");
        assertThat(metadata.getJsonArray("components").getJsonObject(0).getString("type"))
                .isEqualTo("bindings.wasm");
        assertThat(metadata.getJsonArray("wasmBindings").stream())
                .map(b -> (JsonObject) b)
                .filteredOn(b -> b.getString("name").equals("missing"))
                .singleElement()
                .satisfies(b -> assertThat(b.getBoolean("ready")).isFalse());
    }

    @Test
    void shouldCountCallsByOutcomeInPrometheusMetrics() throws Exception {
        post("cat", execute("1"));
        post("ghost", execute("1"));

        HttpResponse<Buffer> response = get("/metrics");
        String metrics = response.bodyAsString();

        assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
        assertThat(metrics)
                .containsPattern(
                        "wasmbind_binding_calls_total\\{binding=\"cat\",outcome=\"success\"} [1-9]")
                .contains(
                        "wasmbind_binding_calls_total{binding=\"_unknown\",outcome=\"not_found\"}")
                .contains("wasmbind_binding_duration_seconds_bucket{binding=\"cat\"")
                .contains("wasmbind_binding_inflight{binding=\"cat\"} 0");
    }

    @Test
    void shouldSwapEveryModuleFromTheInterpreterToItsCompiledForm() {
        await().atMost(Duration.ofMinutes(2))
                .untilAsserted(
                        () ->
                                assertThat(sidecar.registry().all())
                                        .filteredOn(Binding.Ready.class::isInstance)
                                        .map(b -> ((Binding.Ready) b).compiled().engine())
                                        .containsOnly(CompiledModule.Engine.COMPILER));
    }

    @Test
    void shouldAnswer404ForOtherPaths() throws Exception {
        assertThat(get("/v1.0/state/x").statusCode()).isEqualTo(404);
    }
}
