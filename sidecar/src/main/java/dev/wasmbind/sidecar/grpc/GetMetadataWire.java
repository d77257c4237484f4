package dev.wasmbind.sidecar.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import java.io.IOException;
import java.util.List;

/**
 * The protobuf wire format of {@code GetMetadata}'s messages, as far as this sidecar fills them,
 * written by hand with protobuf's coded streams as {@link InvokeBindingWire} is. Dapr's generated
 * response builds the descriptors of the whole Dapr API on its first use (~215 classes, ~0.5 MiB of
 * live heap), and leaving the generated classes out takes ~4,500 entries (with grpc-java's and
 * Google's protos) out of the sidecar's jar (docs/bench/footprint.md). {@code GetMetadataWireTest}
 * checks the bytes against the generated classes.
 */
final class GetMetadataWire {

    /** {@code dapr.proto.runtime.v1.GetMetadataRequest}: no fields. */
    record Request() {}

    /** {@code dapr.proto.runtime.v1.RegisteredComponents}, without capabilities. */
    record Component(String name, String type, String version) {}

    /** {@code dapr.proto.runtime.v1.GetMetadataResponse}: the fields this sidecar has. */
    record Response(String id, String runtimeVersion, List<Component> components) {}

    private static final int RESPONSE_ID = 1;
    private static final int RESPONSE_REGISTERED_COMPONENTS = 3;
    private static final int RESPONSE_RUNTIME_VERSION = 8;
    private static final int COMPONENT_NAME = 1;
    private static final int COMPONENT_TYPE = 2;
    private static final int COMPONENT_VERSION = 3;

    /**
     * {@code GetMetadataRequest} has no fields: any well-formed message is one (unknown fields are
     * skipped, as the generated parser does); a payload that is not protobuf cancels the call.
     */
    static final GrpcMessageDecoder<Request> REQUEST_DECODER =
            message -> {
                try {
                    checkRequest(message.payload().getBytes());
                    return new Request();
                } catch (InvalidProtocolBufferException e) {
                    throw new CodecException(e);
                }
            };

    static final GrpcMessageEncoder<Response> RESPONSE_ENCODER =
            response -> GrpcMessage.message("identity", Buffer.buffer(response(response)));

    private GetMetadataWire() {}

    static void checkRequest(byte[] payload) throws InvalidProtocolBufferException {
        CodedInputStream input = CodedInputStream.newInstance(payload);
        try {
            for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
                if (!input.skipField(tag)) {
                    break;
                }
            }
            input.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    /** In field order, empty strings left out, as proto3's generated code writes them. */
    static byte[] response(Response response) {
        List<byte[]> components =
                response.components().stream().map(GetMetadataWire::component).toList();
        int size =
                ProtobufWire.stringSize(RESPONSE_ID, response.id())
                        + ProtobufWire.stringSize(
                                RESPONSE_RUNTIME_VERSION, response.runtimeVersion());
        for (byte[] component : components) {
            size +=
                    CodedOutputStream.computeByteArraySize(
                            RESPONSE_REGISTERED_COMPONENTS, component);
        }
        return ProtobufWire.write(
                size,
                o -> {
                    ProtobufWire.writeString(o, RESPONSE_ID, response.id());
                    for (byte[] component : components) {
                        o.writeByteArray(RESPONSE_REGISTERED_COMPONENTS, component);
                    }
                    ProtobufWire.writeString(
                            o, RESPONSE_RUNTIME_VERSION, response.runtimeVersion());
                });
    }

    private static byte[] component(Component component) {
        return ProtobufWire.write(
                ProtobufWire.stringSize(COMPONENT_NAME, component.name())
                        + ProtobufWire.stringSize(COMPONENT_TYPE, component.type())
                        + ProtobufWire.stringSize(COMPONENT_VERSION, component.version()),
                o -> {
                    ProtobufWire.writeString(o, COMPONENT_NAME, component.name());
                    ProtobufWire.writeString(o, COMPONENT_TYPE, component.type());
                    ProtobufWire.writeString(o, COMPONENT_VERSION, component.version());
                });
    }
}
