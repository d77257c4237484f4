package dev.wasmbind.sidecar.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dapr.v1.DaprProtos.GetMetadataRequest;
import io.dapr.v1.DaprProtos.GetMetadataResponse;
import io.dapr.v1.DaprProtos.RegisteredComponents;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written GetMetadata messages against Dapr's generated classes, byte for byte. */
class GetMetadataWireTest {

    private static byte[] generated(GetMetadataWire.Response response) {
        GetMetadataResponse.Builder builder =
                GetMetadataResponse.newBuilder()
                        .setId(response.id())
                        .setRuntimeVersion(response.runtimeVersion());
        for (GetMetadataWire.Component component : response.components()) {
            builder.addRegisteredComponents(
                    RegisteredComponents.newBuilder()
                            .setName(component.name())
                            .setType(component.type())
                            .setVersion(component.version()));
        }
        return builder.build().toByteArray();
    }

    @Test
    void shouldWriteTheResponseAsTheGeneratedClassDoes() {
        List<GetMetadataWire.Component> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new GetMetadataWire.Component("binding-" + i, "bindings.wasm", "v1"));
        }
        List<GetMetadataWire.Response> responses =
                List.of(
                        new GetMetadataWire.Response("", "", List.of()),
                        new GetMetadataWire.Response("wasmbind", "wasmbind", List.of()),
                        new GetMetadataWire.Response(
                                "app-✓",
                                "wasmbind",
                                List.of(
                                        new GetMetadataWire.Component(
                                                "héllo", "bindings.wasm", "v1"),
                                        new GetMetadataWire.Component("", "", ""))),
                        new GetMetadataWire.Response("x".repeat(200), "wasmbind", many));

        for (GetMetadataWire.Response response : responses) {
            assertThat(GetMetadataWire.response(response))
                    .as("%s", response.id())
                    .isEqualTo(generated(response));
        }
        GetMetadataWire.Response one = responses.get(2);
        assertThat(GetMetadataWire.RESPONSE_ENCODER.encode(one).payload().getBytes())
                .isEqualTo(generated(one));
    }

    @Test
    void shouldAcceptWhatTheGeneratedClassAcceptsAndRefuseWhatItRefuses() throws Exception {
        byte[] empty = GetMetadataRequest.getDefaultInstance().toByteArray();
        // field 1 varint 150, field 2 "hi": fields GetMetadataRequest does not have
        byte[] unknownFields = {0x08, (byte) 0x96, 0x01, 0x12, 0x02, 'h', 'i'};
        for (byte[] payload : new byte[][] {empty, unknownFields}) {
            GetMetadataRequest.parseFrom(payload);
            GetMetadataWire.checkRequest(payload);
        }
        byte[] truncated = {0x12, 0x05, 'h'};
        byte[] endGroupAtTopLevel = {0x0c};
        for (byte[] payload : new byte[][] {truncated, endGroupAtTopLevel}) {
            assertThatThrownBy(() -> GetMetadataRequest.parseFrom(payload))
                    .isInstanceOf(InvalidProtocolBufferException.class);
            assertThatThrownBy(() -> GetMetadataWire.checkRequest(payload))
                    .isInstanceOf(InvalidProtocolBufferException.class);
        }
    }

    @Test
    void shouldDecodeAGrpcMessageOrFailWithACodecException() {
        assertThat(
                        GetMetadataWire.REQUEST_DECODER.decode(
                                GrpcMessage.message("identity", Buffer.buffer())))
                .isEqualTo(new GetMetadataWire.Request());
        assertThatThrownBy(
                        () ->
                                GetMetadataWire.REQUEST_DECODER.decode(
                                        GrpcMessage.message(
                                                "identity", Buffer.buffer(new byte[] {0x0c}))))
                .isInstanceOf(CodecException.class);
    }
}
