package dev.wasmbind.sidecar.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/** What the hand-written wire classes share: tags and writing a message of a known size. */
final class ProtobufWire {

    private ProtobufWire() {}

    /** The tag of a length-delimited field (strings, bytes, messages, map entries). */
    static int lengthDelimited(int field) {
        return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** What a message writes, in field order. */
    interface Writes {
        void to(CodedOutputStream output) throws IOException;
    }

    /**
     * A message of {@code size} bytes, computed beforehand with {@link CodedOutputStream}'s {@code
     * compute...Size} methods: one array, no copy, and a size computed wrongly is an error.
     */
    static byte[] write(int size, Writes writes) {
        byte[] out = new byte[size];
        CodedOutputStream output = CodedOutputStream.newInstance(out);
        try {
            writes.to(output);
            output.checkNoSpaceLeft();
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("protobuf size computed wrongly", e);
        }
        return out;
    }

    /**
     * The size of a proto3 string field: nothing when empty, as the generated code leaves it out.
     */
    static int stringSize(int field, String value) {
        return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    /** Writes a proto3 string field unless it is empty. */
    static void writeString(CodedOutputStream output, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            output.writeString(field, value);
        }
    }
}
