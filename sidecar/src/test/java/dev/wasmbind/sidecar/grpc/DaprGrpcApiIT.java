package dev.wasmbind.sidecar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprProtos.GetMetadataRequest;
import io.dapr.v1.DaprProtos.GetMetadataResponse;
import io.dapr.v1.DaprProtos.GetStateRequest;
import io.dapr.v1.DaprProtos.InvokeBindingRequest;
import io.dapr.v1.DaprProtos.InvokeBindingResponse;
import io.dapr.v1.DaprProtos.RegisteredComponents;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dapr's gRPC API of the standalone sidecar on 127.0.0.1, called with grpc-java and the published
 * Dapr stubs: daprd's semantics (raw data, args, status codes and messages) and the same limits and
 * metrics as the HTTP API.
 */
class DaprGrpcApiIT {

    @TempDir static Path resources;

    private static StandaloneSidecar sidecar;
    private static ManagedChannel channel;
    private static DaprGrpc.DaprBlockingStub dapr;

    @BeforeAll
    static void startSidecar() throws Exception {
        TestResources.example(resources, "hello", "hello.wasm");
        TestResources.testModule(resources, "cat", "cat.wasm", "");
        TestResources.testModule(resources, "cat-raw", "cat.wasm", "  rawData: true\n");
        TestResources.testModule(
                resources, "env", "env.wasm", "  args: [\"--spec\"]\n  env:\n    GREETING: hi\n");
        TestResources.testModule(resources, "fail", "fail.wasm", "");
        TestResources.testModule(
                resources, "small", "cat.wasm", "  limits:\n    maxRequestBytes: 16\n");
        TestResources.testModule(
                resources,
                "one-at-a-time",
                "sleep.wasm",
                "  limits:\n    maxConcurrency: 1\n    timeout: 20s\n");
        TestResources.testModule(
                resources, "runaway", "loop.wasm", "  limits:\n    timeout: 300ms\n");
        TestResources.testModule(resources, "reactor", "reactor.wasm", "");
        sidecar = StandaloneSidecar.builder(resources).withPort(0).withGrpcPort(0).start();
        channel =
                ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort())
                        .usePlaintext()
                        .build();
        dapr = DaprGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static InvokeBindingRequest.Builder execute(String name, byte[] data) {
        return InvokeBindingRequest.newBuilder()
                .setName(name)
                .setOperation("execute")
                .setData(ByteString.copyFrom(data));
    }

    private static InvokeBindingRequest execute(String name, String data) {
        return execute(name, data.getBytes(StandardCharsets.UTF_8)).build();
    }

    private static String invoke(InvokeBindingRequest request) {
        return dapr.invokeBinding(request).getData().toStringUtf8();
    }

    private static StatusRuntimeException failure(InvokeBindingRequest request) {
        return catchThrowableOfType(
                StatusRuntimeException.class, () -> dapr.invokeBinding(request));
    }

    private static void assertDaprError(
            StatusRuntimeException error, Status.Code code, String message) {
        assertThat(error.getStatus().getCode()).isEqualTo(code);
        assertThat(error.getStatus().getDescription()).isEqualTo(message);
        com.google.rpc.Status details = StatusProto.fromThrowable(error);
        assertThat(details).isNotNull();
        assertThat(details.getDetailsList()).hasSize(1);
        ErrorInfo info;
        try {
            info = details.getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertThat(info.getReason()).isEqualTo("ERR_INVOKE_OUTPUT_BINDING");
        assertThat(info.getDomain()).isEqualTo("dapr.io");
    }

    @Test
    void shouldHandTheDataBytesToTheTinyModuleUnencoded() {
        // On HTTP "salaboy" reaches the guest JSON-encoded; on gRPC daprd passes the bytes.
        assertThat(invoke(execute("hello", "salaboy"))).isEqualTo("Hello, salaboy");
        assertThat(invoke(execute("hello", "\"salaboy\""))).isEqualTo("Hello, \"salaboy\"");
    }

    @Test
    void shouldPassBinaryDataThroughCatByteForByte() {
        byte[] data = new byte[256 * 1024];
        new Random(42).nextBytes(data);
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
        }

        InvokeBindingResponse response = dapr.invokeBinding(execute("cat", data).build());

        assertThat(response.getData().toByteArray()).isEqualTo(data);
        assertThat(response.getMetadataMap()).isEmpty();
    }

    @Test
    void shouldIgnoreRawDataOnGrpcBecauseTheDataIsAlreadyRaw() {
        assertThat(invoke(execute("cat-raw", "\"<raw>\""))).isEqualTo("\"<raw>\"");
    }

    @Test
    void shouldAnswerEmptyDataWithEmptyStdin() {
        assertThat(dapr.invokeBinding(execute("cat", new byte[0]).build()).getData().isEmpty())
                .isTrue();
    }

    @Test
    void shouldSplitMetadataArgsOnCommas() {
        InvokeBindingRequest request =
                execute("env", new byte[0]).putMetadata("args", "a,b,,c").build();

        assertThat(invoke(request)).isEqualTo("GREETING=hi\nenv\n--spec\na\nb\n\nc\n");
    }

    @Test
    void shouldTakeArgsFromAGrpcHeaderWhenTheMetadataHasNone() {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("args", Metadata.ASCII_STRING_MARSHALLER), "from,header");
        var withHeader = dapr.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

        String fromHeader =
                withHeader
                        .invokeBinding(execute("env", new byte[0]).build())
                        .getData()
                        .toStringUtf8();
        String fromMetadata =
                withHeader
                        .invokeBinding(
                                execute("env", new byte[0]).putMetadata("args", "meta").build())
                        .getData()
                        .toStringUtf8();

        assertThat(fromHeader).endsWith("--spec\nfrom\nheader\n");
        assertThat(fromMetadata).endsWith("--spec\nmeta\n");
    }

    @Test
    void shouldAnswerAnUnknownBindingAsDaprdDoes() {
        assertDaprError(
                failure(execute("ghost", "1")),
                Status.Code.INTERNAL,
                "error invoking output binding ghost: couldn't find output binding ghost");
    }

    @Test
    void shouldRefuseAMissingOrUnsupportedOperation() {
        assertDaprError(
                failure(InvokeBindingRequest.newBuilder().setName("cat").build()),
                Status.Code.INTERNAL,
                "error invoking output binding cat: operation field is missing from request");
        assertDaprError(
                failure(execute("cat", new byte[0]).setOperation("create").build()),
                Status.Code.INTERNAL,
                "error invoking output binding cat: binding cat does not support operation create."
                        + " supported operations:execute");
    }

    @Test
    void shouldReportANonZeroExitWithTheTailOfStderr() {
        assertDaprError(
                failure(execute("fail", new byte[0]).putMetadata("args", "4,bad input").build()),
                Status.Code.INTERNAL,
                "error invoking output binding fail: module closed with exit_code(4); stderr: bad"
                        + " input");
    }

    @Test
    void shouldAnswerABindingThatFailedToLoadWithTheReason() {
        StatusRuntimeException error = failure(execute("reactor", "1"));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(error.getStatus().getDescription())
                .startsWith("error invoking output binding reactor: binding reactor is not loaded:")
                .contains("does not export function _start");
    }

    @Test
    void shouldStopARunawayGuestWithDeadlineExceeded() {
        assertDaprError(
                failure(execute("runaway", "1")),
                Status.Code.DEADLINE_EXCEEDED,
                "error invoking output binding runaway: timed out after 300ms (limits.timeout);"
                        + " the guest was stopped");
        assertThat(invoke(execute("cat", "after"))).isEqualTo("after");
    }

    @Test
    void shouldAnswerResourceExhaustedBeyondMaxConcurrency() throws Exception {
        var first =
                DaprGrpc.newFutureStub(channel)
                        .invokeBinding(
                                execute("one-at-a-time", new byte[0])
                                        .putMetadata("args", "1500")
                                        .build());
        StatusRuntimeException refused = null;
        // The first call holds the only permit once the sidecar has it; poll until the second
        // call is refused (never longer than the first call's sleep).
        while (refused == null && !first.isDone()) {
            try {
                dapr.invokeBinding(
                        execute("one-at-a-time", new byte[0]).putMetadata("args", "0").build());
            } catch (StatusRuntimeException e) {
                refused = e;
            }
        }

        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription())
                .startsWith("error invoking output binding one-at-a-time: ")
                .contains("maximum of 1 concurrent calls (limits.maxConcurrency)");
        assertThat(first.get(30, TimeUnit.SECONDS).getData().toStringUtf8()).isEqualTo("slept\n");
    }

    @Test
    void shouldRefuseDataOverMaxRequestBytesWithResourceExhausted() {
        assertDaprError(
                failure(execute("small", "more than sixteen bytes")),
                Status.Code.RESOURCE_EXHAUSTED,
                "error invoking output binding small: request data of 23 bytes is larger than"
                        + " limits.maxRequestBytes (16 bytes)");
        assertThat(invoke(execute("small", "sixteen bytes ok"))).isEqualTo("sixteen bytes ok");
    }

    @Test
    void shouldRefuseAMessageOverTheServersLimitBeforeReadingIt() {
        StatusRuntimeException error = failure(execute("cat", new byte[5 * 1024 * 1024]).build());

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void shouldListTheBindingsAsWasmComponentsInGetMetadata() {
        GetMetadataResponse metadata = dapr.getMetadata(GetMetadataRequest.getDefaultInstance());

        assertThat(metadata.getId()).isEqualTo("wasmbind");
        assertThat(metadata.getRegisteredComponentsList())
                .extracting(RegisteredComponents::getName)
                .contains("cat", "hello", "env")
                .doesNotContain("reactor");
        assertThat(metadata.getRegisteredComponentsList())
                .allSatisfy(
                        c -> {
                            assertThat(c.getType()).isEqualTo("bindings.wasm");
                            assertThat(c.getVersion()).isEqualTo("v1");
                        });
    }

    @Test
    void shouldCancelACallWhosePayloadIsNotAnInvokeBindingRequest() {
        MethodDescriptor.Marshaller<byte[]> raw =
                new MethodDescriptor.Marshaller<>() {
                    @Override
                    public InputStream stream(byte[] value) {
                        return new ByteArrayInputStream(value);
                    }

                    @Override
                    public byte[] parse(InputStream stream) {
                        try {
                            return stream.readAllBytes();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                };
        MethodDescriptor<byte[], byte[]> invokeBinding =
                MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(MethodDescriptor.MethodType.UNARY)
                        .setFullMethodName("dapr.proto.runtime.v1.Dapr/InvokeBinding")
                        .setRequestMarshaller(raw)
                        .setResponseMarshaller(raw)
                        .build();
        // 0x0c ends a group that never started: protobuf refuses it.
        byte[] notAMessage = {0x0c};

        StatusRuntimeException error =
                catchThrowableOfType(
                        StatusRuntimeException.class,
                        () ->
                                ClientCalls.blockingUnaryCall(
                                        channel,
                                        invokeBinding,
                                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                                        notAMessage));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(invoke(execute("cat", "after"))).isEqualTo("after");
    }

    @Test
    void shouldAnswerUnimplementedForOtherDaprMethods() {
        StatusRuntimeException error =
                catchThrowableOfType(
                        StatusRuntimeException.class,
                        () ->
                                dapr.getState(
                                        GetStateRequest.newBuilder()
                                                .setStoreName("s")
                                                .setKey("k")
                                                .build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void shouldCountGrpcCallsInTheSameMetricsAsHttpCalls() throws Exception {
        invoke(execute("hello", "metrics"));
        failure(execute("ghost", "1"));

        String metrics =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + sidecar.port()
                                                                + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();

        assertThat(metrics)
                .contains("wasmbind_binding_calls_total{binding=\"hello\",outcome=\"success\"}")
                .contains(
                        "wasmbind_binding_calls_total{binding=\"_unknown\",outcome=\"not_found\"}");
    }
}
