package dev.wasmbind.sidecar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.dapr.v1.DaprProtos.InvokeBindingRequest;
import io.dapr.v1.DaprProtos.InvokeBindingResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written wire format against Dapr's and Google's generated classes, byte for byte. */
class InvokeBindingWireTest {

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void assertParsesLikeTheGeneratedClass(byte[] payload) throws Exception {
        InvokeBindingRequest generated = InvokeBindingRequest.parseFrom(payload);

        InvokeBindingWire.Request ours = InvokeBindingWire.parseRequest(payload);

        assertThat(ours.name()).isEqualTo(generated.getName());
        assertThat(ours.data()).isEqualTo(generated.getData());
        assertThat(ours.metadata()).isEqualTo(generated.getMetadataMap());
        assertThat(ours.operation()).isEqualTo(generated.getOperation());
    }

    @Test
    void shouldReadEveryFieldOfARequestLikeTheGeneratedClass() throws Exception {
        assertParsesLikeTheGeneratedClass(
                InvokeBindingRequest.newBuilder()
                        .setName("héllo-✓")
                        .setData(ByteString.copyFrom(randomBytes(70_000)))
                        .putMetadata("args", "a,b,,c")
                        .putMetadata("", "empty key")
                        .putMetadata("empty value", "")
                        .putMetadata("ключ", "значение")
                        .setOperation("execute")
                        .build()
                        .toByteArray());
    }

    @Test
    void shouldReadAnEmptyRequestAsEmptyFields() throws Exception {
        assertParsesLikeTheGeneratedClass(new byte[0]);
        assertThat(InvokeBindingWire.parseRequest(new byte[0]))
                .isEqualTo(new InvokeBindingWire.Request("", ByteString.EMPTY, Map.of(), ""));
    }

    @Test
    void shouldKeepTheLastOccurrenceOfAFieldAndOfAMetadataKey() throws Exception {
        byte[] first =
                InvokeBindingRequest.newBuilder()
                        .setName("first")
                        .setData(ByteString.copyFromUtf8("one"))
                        .putMetadata("args", "1")
                        .putMetadata("other", "x")
                        .setOperation("create")
                        .build()
                        .toByteArray();
        byte[] second =
                InvokeBindingRequest.newBuilder()
                        .setName("second")
                        .setData(ByteString.copyFromUtf8("two"))
                        .putMetadata("args", "2")
                        .setOperation("execute")
                        .build()
                        .toByteArray();

        byte[] concatenated = Buffer.buffer(first).appendBytes(second).getBytes();

        assertParsesLikeTheGeneratedClass(concatenated);
        assertThat(InvokeBindingWire.parseRequest(concatenated).metadata())
                .containsEntry("args", "2")
                .containsEntry("other", "x");
    }

    @Test
    void shouldSkipUnknownFieldsAndFieldsOfTheWrongWireType() throws Exception {
        var out = new ByteArrayOutputStream();
        var coded = com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.writeString(1, "cat");
        coded.writeUInt64(9, 42); // unknown varint
        coded.writeFixed32(10, 7); // unknown fixed32
        coded.writeString(11, "unknown");
        coded.writeUInt32(4, 3); // operation's number with a varint: unknown to proto3
        coded.writeString(4, "execute");
        coded.writeFixed64(2, 5); // data's number with a fixed64
        coded.flush();

        assertParsesLikeTheGeneratedClass(out.toByteArray());
        assertThat(InvokeBindingWire.parseRequest(out.toByteArray()).operation())
                .isEqualTo("execute");
    }

    @Test
    void shouldRefuseWhatTheGeneratedClassRefuses() {
        byte[] badUtf8Name = {0x0a, 0x02, (byte) 0xc3, 0x28};
        byte[] truncated =
                InvokeBindingRequest.newBuilder().setName("truncated").build().toByteArray();
        truncated = java.util.Arrays.copyOf(truncated, truncated.length - 2);
        byte[] badUtf8MetadataValue = {0x1a, 0x06, 0x0a, 0x01, 'k', 0x12, 0x01, (byte) 0xff};
        byte[] endGroupAtTopLevel = {0x0c};

        for (byte[] payload :
                new byte[][] {badUtf8Name, truncated, badUtf8MetadataValue, endGroupAtTopLevel}) {
            assertThatThrownBy(() -> InvokeBindingRequest.parseFrom(payload))
                    .isInstanceOf(InvalidProtocolBufferException.class);
            assertThatThrownBy(() -> InvokeBindingWire.parseRequest(payload))
                    .isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    @Test
    void shouldDecodeAGrpcMessageOrFailWithACodecException() {
        byte[] payload =
                InvokeBindingRequest.newBuilder()
                        .setName("cat")
                        .setOperation("execute")
                        .build()
                        .toByteArray();

        assertThat(
                        InvokeBindingWire.REQUEST_DECODER
                                .decode(GrpcMessage.message("identity", Buffer.buffer(payload)))
                                .name())
                .isEqualTo("cat");
        assertThatThrownBy(
                        () ->
                                InvokeBindingWire.REQUEST_DECODER.decode(
                                        GrpcMessage.message(
                                                "identity", Buffer.buffer(new byte[] {0x0c}))))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void shouldWriteTheResponseAsTheGeneratedClassDoes() {
        for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 300_000}) {
            byte[] stdout = randomBytes(size);

            assertThat(InvokeBindingWire.response(stdout))
                    .as("%d bytes", size)
                    .isEqualTo(
                            InvokeBindingResponse.newBuilder()
                                    .setData(ByteString.copyFrom(stdout))
                                    .build()
                                    .toByteArray());
        }
        assertThat(
                        InvokeBindingWire.RESPONSE_ENCODER
                                .encode("hi".getBytes(StandardCharsets.UTF_8))
                                .payload()
                                .getBytes())
                .isEqualTo(
                        InvokeBindingResponse.newBuilder()
                                .setData(ByteString.copyFromUtf8("hi"))
                                .build()
                                .toByteArray());
    }

    @Test
    void shouldWriteTheErrorDetailsAsGooglesGeneratedStatusDoes() throws Exception {
        String longMessage = "error invoking output binding x: " + "é".repeat(200);
        for (int code : new int[] {0, 4, 8, 13, 14}) {
            for (String message : new String[] {"", "short", longMessage}) {
                byte[] expected =
                        com.google.rpc.Status.newBuilder()
                                .setCode(code)
                                .setMessage(message)
                                .addDetails(
                                        Any.pack(
                                                ErrorInfo.newBuilder()
                                                        .setReason("ERR_INVOKE_OUTPUT_BINDING")
                                                        .setDomain("dapr.io")
                                                        .build()))
                                .build()
                                .toByteArray();

                assertThat(
                                InvokeBindingWire.statusDetails(
                                        code, message, "ERR_INVOKE_OUTPUT_BINDING", "dapr.io"))
                        .as("code %d, message %s", code, message)
                        .isEqualTo(expected);
            }
        }
    }
}
