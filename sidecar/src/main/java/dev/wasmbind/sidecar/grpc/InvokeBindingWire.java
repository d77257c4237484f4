package dev.wasmbind.sidecar.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The protobuf wire format of {@code InvokeBinding}'s messages and of daprd's error details,
 * written by hand with protobuf's coded streams.
 *
 * <p>Why not Dapr's generated classes: their map fields need {@code DaprProtos}' descriptor, and
 * building it builds the descriptors of the whole Dapr API (123 message types) on the first gRPC
 * call: ~70 more classes and ~3 MiB more resident memory in a sidecar (docs/bench/startup.md, round
 * 4). These four small messages are stable; {@code InvokeBindingWireTest} checks every field
 * against the generated classes.
 *
 * <p>Parsing follows the generated proto3 code: strings must be UTF-8, the last occurrence of a
 * field wins (in the map, of a key), absent fields are empty, unknown fields are skipped.
 */
final class InvokeBindingWire {

    /** {@code dapr.proto.runtime.v1.InvokeBindingRequest}; {@code data} aliases the payload. */
    record Request(String name, ByteString data, Map<String, String> metadata, String operation) {}

    private static final int REQUEST_NAME = 1;
    private static final int REQUEST_DATA = 2;
    private static final int REQUEST_METADATA = 3;
    private static final int REQUEST_OPERATION = 4;
    private static final int MAP_KEY = 1;
    private static final int MAP_VALUE = 2;
    private static final int RESPONSE_DATA = 1;
    private static final int STATUS_CODE = 1;
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_DETAILS = 3;
    private static final int ANY_TYPE_URL = 1;
    private static final int ANY_VALUE = 2;
    private static final int ERROR_INFO_REASON = 1;
    private static final int ERROR_INFO_DOMAIN = 2;
    private static final String ERROR_INFO_TYPE_URL = "type.googleapis.com/google.rpc.ErrorInfo";

    /** A payload that is not an {@code InvokeBindingRequest}: vert.x cancels the call. */
    static final GrpcMessageDecoder<Request> REQUEST_DECODER =
            message -> {
                try {
                    return parseRequest(message.payload().getBytes());
                } catch (InvalidProtocolBufferException e) {
                    throw new CodecException(e);
                }
            };

    /** The guest's STDOUT as an {@code InvokeBindingResponse} with no metadata. */
    static final GrpcMessageEncoder<byte[]> RESPONSE_ENCODER =
            stdout -> GrpcMessage.message("identity", Buffer.buffer(response(stdout)));

    private InvokeBindingWire() {}

    static Request parseRequest(byte[] payload) throws InvalidProtocolBufferException {
        CodedInputStream input = CodedInputStream.newInstance(payload);
        // The payload is a fresh copy nobody else writes: data can point into it.
        input.enableAliasing(true);
        String name = "";
        ByteString data = ByteString.EMPTY;
        Map<String, String> metadata = Map.of();
        String operation = "";
        try {
            for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
                if (tag == ProtobufWire.lengthDelimited(REQUEST_NAME)) {
                    name = input.readStringRequireUtf8();
                } else if (tag == ProtobufWire.lengthDelimited(REQUEST_DATA)) {
                    data = input.readBytes();
                } else if (tag == ProtobufWire.lengthDelimited(REQUEST_METADATA)) {
                    if (metadata.isEmpty()) {
                        metadata = new HashMap<>();
                    }
                    readMapEntry(input, metadata);
                } else if (tag == ProtobufWire.lengthDelimited(REQUEST_OPERATION)) {
                    operation = input.readStringRequireUtf8();
                } else if (!input.skipField(tag)) {
                    break;
                }
            }
            input.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new Request(name, data, metadata, operation);
    }

    private static void readMapEntry(CodedInputStream input, Map<String, String> metadata)
            throws IOException {
        int limit = input.pushLimit(input.readRawVarint32());
        String key = "";
        String value = "";
        for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
            if (tag == ProtobufWire.lengthDelimited(MAP_KEY)) {
                key = input.readStringRequireUtf8();
            } else if (tag == ProtobufWire.lengthDelimited(MAP_VALUE)) {
                value = input.readStringRequireUtf8();
            } else if (!input.skipField(tag)) {
                break;
            }
        }
        input.checkLastTagWas(0);
        input.popLimit(limit);
        metadata.put(key, value);
    }

    /** {@code InvokeBindingResponse} with {@code data} only (proto3 leaves empty data out). */
    static byte[] response(byte[] stdout) {
        if (stdout.length == 0) {
            return new byte[0];
        }
        return ProtobufWire.write(
                CodedOutputStream.computeByteArraySize(RESPONSE_DATA, stdout),
                o -> o.writeByteArray(RESPONSE_DATA, stdout));
    }

    /**
     * daprd's rich error: a {@code google.rpc.Status} with one {@code google.protobuf.Any} holding
     * an {@code google.rpc.ErrorInfo} (reason and domain).
     */
    static byte[] statusDetails(int code, String message, String reason, String domain) {
        byte[] errorInfo =
                ProtobufWire.write(
                        CodedOutputStream.computeStringSize(ERROR_INFO_REASON, reason)
                                + CodedOutputStream.computeStringSize(ERROR_INFO_DOMAIN, domain),
                        o -> {
                            o.writeString(ERROR_INFO_REASON, reason);
                            o.writeString(ERROR_INFO_DOMAIN, domain);
                        });
        byte[] any =
                ProtobufWire.write(
                        CodedOutputStream.computeStringSize(ANY_TYPE_URL, ERROR_INFO_TYPE_URL)
                                + CodedOutputStream.computeByteArraySize(ANY_VALUE, errorInfo),
                        o -> {
                            o.writeString(ANY_TYPE_URL, ERROR_INFO_TYPE_URL);
                            o.writeByteArray(ANY_VALUE, errorInfo);
                        });
        int size =
                (code == 0 ? 0 : CodedOutputStream.computeInt32Size(STATUS_CODE, code))
                        + ProtobufWire.stringSize(STATUS_MESSAGE, message)
                        + CodedOutputStream.computeByteArraySize(STATUS_DETAILS, any);
        return ProtobufWire.write(
                size,
                o -> {
                    if (code != 0) {
                        o.writeInt32(STATUS_CODE, code);
                    }
                    ProtobufWire.writeString(o, STATUS_MESSAGE, message);
                    o.writeByteArray(STATUS_DETAILS, any);
                });
    }
}
