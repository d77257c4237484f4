package dev.wasmbind.sidecar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.DaprHttp;
import io.dapr.client.DaprHttpBuilder;
import io.dapr.config.Properties;
import io.dapr.exceptions.DaprErrorDetails;
import io.dapr.exceptions.DaprException;
import io.dapr.serializer.DefaultObjectSerializer;
import io.dapr.utils.TypeRef;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Dapr Java SDK, unchanged, against the real sidecar on 127.0.0.1: {@code
 * DaprClient.invokeBinding} on its default gRPC transport, {@code waitForSidecar}, and the SDK's
 * own HTTP client for the HTTP API (SDK 1.16 no longer has an HTTP transport for bindings).
 */
class DaprJavaSdkIT {

    private static final TypeRef<Map<String, Object>> JSON_OBJECT = new TypeRef<>() {};

    @TempDir static Path resources;

    private static StandaloneSidecar sidecar;
    private static DaprClient client;
    private static DaprHttp http;
    private static final DefaultObjectSerializer SERIALIZER = new DefaultObjectSerializer();

    @BeforeAll
    static void startSidecar() throws Exception {
        TestResources.testModule(resources, "cat", "cat.wasm", "");
        TestResources.testModule(resources, "env", "env.wasm", "");
        TestResources.testModule(resources, "fail", "fail.wasm", "");
        TestResources.example(resources, "json-greet", "json-greet.wasm");
        sidecar = StandaloneSidecar.builder(resources).withPort(0).withGrpcPort(0).start();
        client = clientFor(sidecar.port(), sidecar.grpcPort());
        http =
                new DaprHttpBuilder()
                        .build(
                                new Properties(
                                        Map.of(
                                                Properties.SIDECAR_IP.getName(),
                                                "127.0.0.1",
                                                Properties.HTTP_PORT.getName(),
                                                Integer.toString(sidecar.port()))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }

    /** What DAPR_HTTP_PORT and DAPR_GRPC_PORT (set by the injector) give an app. */
    private static DaprClient clientFor(int httpPort, int grpcPort) {
        return new DaprClientBuilder()
                .withPropertyOverride(Properties.SIDECAR_IP, "127.0.0.1")
                .withPropertyOverride(Properties.HTTP_PORT, Integer.toString(httpPort))
                .withPropertyOverride(Properties.GRPC_PORT, Integer.toString(grpcPort))
                .build();
    }

    @Test
    void shouldFindTheSidecarReadyWithWaitForSidecar() {
        client.waitForSidecar(10_000).block();
    }

    @Test
    void shouldTimeOutWaitingForASidecarThatIsNotThere() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (DaprClient nowhere = clientFor(closed, closed)) {
            RuntimeException error =
                    catchThrowableOfType(
                            RuntimeException.class, () -> nowhere.waitForSidecar(1_000).block());

            assertThat(error).isNotNull();
        }
    }

    @Test
    void shouldRoundTripAStringOverGrpc() {
        String answer = client.invokeBinding("cat", "execute", "hello", String.class).block();
        // The SDK JSON-encodes a String itself; daprd (and this sidecar) pass the bytes on.
        byte[] stdin = client.invokeBinding("cat", "execute", "hello", byte[].class).block();

        assertThat(answer).isEqualTo("hello");
        assertThat(new String(stdin, StandardCharsets.UTF_8)).isEqualTo("\"hello\"");
    }

    @Test
    void shouldRoundTripAJsonObjectOverGrpc() {
        Map<String, Object> answer =
                client.invokeBinding(
                                "json-greet",
                                "execute",
                                Map.of("name", "Ada"),
                                Map.of(),
                                JSON_OBJECT)
                        .block();

        assertThat(answer).containsExactly(Map.entry("greeting", "Hello, Ada!"));
    }

    @Test
    void shouldPassBinaryDataByteForByteOverGrpc() {
        byte[] data = new byte[64 * 1024];
        new Random(7).nextBytes(data);

        byte[] answer = client.invokeBinding("cat", "execute", data, byte[].class).block();

        assertThat(answer).isEqualTo(data);
    }

    @Test
    void shouldPassArgsMetadataOverGrpc() {
        byte[] answer =
                client.invokeBinding(
                                "env", "execute", null, Map.of("args", "x,y"), TypeRef.BYTE_ARRAY)
                        .block();

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("env\nx\ny\n");
    }

    @Test
    void shouldSurfaceDaprdsErrorOverGrpc() {
        DaprException unknown =
                catchThrowableOfType(
                        DaprException.class,
                        () -> client.invokeBinding("ghost", "execute", "x").block());
        DaprException exit =
                catchThrowableOfType(
                        DaprException.class,
                        () ->
                                client.invokeBinding(
                                                "fail",
                                                "execute",
                                                null,
                                                Map.of("args", "3,no"),
                                                TypeRef.BYTE_ARRAY)
                                        .block());

        assertThat(unknown.getErrorCode()).isEqualTo("INTERNAL");
        assertThat(unknown.getMessage())
                .isEqualTo(
                        "INTERNAL: error invoking output binding ghost: couldn't find output"
                                + " binding ghost");
        assertThat(
                        unknown.getErrorDetails()
                                .get(
                                        DaprErrorDetails.ErrorDetailType.ERROR_INFO,
                                        "reason",
                                        TypeRef.STRING))
                .isEqualTo("ERR_INVOKE_OUTPUT_BINDING");
        assertThat(exit.getMessage())
                .isEqualTo(
                        "INTERNAL: error invoking output binding fail: module closed with"
                                + " exit_code(3); stderr: no");
    }

    private static <T> T postBinding(
            String name, Object data, Map<String, String> metadata, TypeRef<T> type)
            throws Exception {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("data", data);
        envelope.put("operation", "execute");
        envelope.put("metadata", metadata);
        DaprHttp.Response response =
                http.invokeApi(
                                "POST",
                                new String[] {DaprHttp.API_VERSION, "bindings", name},
                                null,
                                SERIALIZER.serialize(envelope),
                                null,
                                null)
                        .block();
        return SERIALIZER.deserialize(response.getBody(), type);
    }

    @Test
    void shouldRoundTripStringAndJsonObjectOverHttp() throws Exception {
        assertThat(postBinding("cat", "hello", Map.of(), TypeRef.STRING)).isEqualTo("hello");
        assertThat(postBinding("json-greet", Map.of("name", "Ada"), Map.of(), JSON_OBJECT))
                .containsExactly(Map.entry("greeting", "Hello, Ada!"));
    }

    @Test
    void shouldCarryBinaryDataAsABase64JsonStringOverHttp() throws Exception {
        byte[] data = {0, 1, 2, (byte) 0xff};

        // HTTP is JSON: Jackson writes byte[] as base64, daprd re-encodes the JSON string.
        byte[] stdin = postBinding("cat", data, Map.of(), TypeRef.BYTE_ARRAY);

        assertThat(new String(stdin, StandardCharsets.UTF_8)).isEqualTo("\"AAEC/w==\"");
    }

    @Test
    void shouldPassArgsMetadataOverHttp() throws Exception {
        byte[] answer = postBinding("env", null, Map.of("args", "x,y"), TypeRef.BYTE_ARRAY);

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("env\nx\ny\n");
    }

    @Test
    void shouldSurfaceDaprsErrorCodeOverHttp() {
        DaprException error =
                catchThrowableOfType(
                        DaprException.class,
                        () -> postBinding("ghost", "x", Map.of(), TypeRef.STRING));

        assertThat(error.getErrorCode()).isEqualTo("ERR_INVOKE_OUTPUT_BINDING");
        assertThat(error.getHttpStatusCode()).isEqualTo(500);
        assertThat(error.getMessage())
                .contains(
                        "error invoking output binding ghost: couldn't find output binding ghost");
    }
}
