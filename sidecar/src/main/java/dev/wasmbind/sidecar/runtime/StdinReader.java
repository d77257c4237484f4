package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import java.util.Objects;

/**
 * {@code fd_read} for a guest whose only readable descriptor is STDIN, the request's bytes. It
 * copies straight into the guest's buffers; Chicory's own allocates a temporary array as large as
 * each buffer (C programs read with 64 KiB buffers), which was the largest cost of a tiny call.
 * STDIN is a range of an array: with {@code rawData} it is the request body's own bytes (no copy).
 */
final class StdinReader {

    static final String FUNCTION = "fd_read";

    private static final int STDIN = 0;
    private static final int ERRNO_SUCCESS = 0;
    private static final int ERRNO_BADF = 8;
    private static final int ERRNO_INVAL = 28;

    private final byte[] stdin;
    private final int end;
    private int position;

    /** STDIN is {@code stdin[offset, offset+length)}. */
    StdinReader(byte[] stdin, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, stdin.length);
        this.stdin = stdin;
        this.position = offset;
        this.end = offset + length;
    }

    /** {@code fd_read}'s signature: (fd, iovs, iovs_len, nread_ptr) -> errno. */
    static final FunctionType TYPE =
            FunctionType.of(
                    List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                    List.of(ValType.I32));

    /** {@code fd_read} with the guest's arguments. */
    long[] apply(Instance instance, long... args) {
        return new long[] {
            read(instance.memory(), (int) args[0], (int) args[1], (int) args[2], (int) args[3])
        };
    }

    private int read(Memory memory, int fd, int iovs, int iovsLength, int readPtr) {
        if (fd != STDIN) {
            // STDOUT and STDERR are not readable, and there are no other descriptors.
            return ERRNO_BADF;
        }
        if (iovsLength < 0) {
            return ERRNO_INVAL;
        }
        int total = 0;
        for (int i = 0; i < iovsLength && position < end; i++) {
            int base = memory.readInt(iovs + i * 8);
            int length = memory.readInt(iovs + i * 8 + 4);
            int count = Math.min(length, end - position);
            memory.write(base, stdin, position, count);
            position += count;
            total += count;
            if (count < length) {
                break;
            }
        }
        memory.writeI32(readPtr, total);
        return ERRNO_SUCCESS;
    }
}
