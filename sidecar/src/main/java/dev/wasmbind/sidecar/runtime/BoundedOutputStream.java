package dev.wasmbind.sidecar.runtime;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Collects a guest's output up to a limit so that a guest cannot fill the heap. In {@link
 * Mode#FAIL} mode writing past the limit stops the guest; in {@link Mode#KEEP_TAIL} mode (STDERR)
 * only the last bytes are kept, for error messages.
 */
final class BoundedOutputStream extends OutputStream {

    enum Mode {
        FAIL,
        KEEP_TAIL
    }

    /** Thrown from inside the guest's {@code fd_write}; unwinds the guest. */
    static final class LimitExceeded extends RuntimeException {
        LimitExceeded(long limit) {
            super("output exceeded " + limit + " bytes", null, false, false);
        }
    }

    private final long limit;
    private final Mode mode;
    private final Buffer buffer = new Buffer();
    private long total;

    BoundedOutputStream(long limit, Mode mode) {
        this.limit = limit;
        this.mode = mode;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        total += length;
        if (mode == Mode.FAIL) {
            if (total > limit) {
                throw new LimitExceeded(limit);
            }
            buffer.write(bytes, offset, length);
            return;
        }
        if (length >= limit) {
            // Keep only this write's tail: a guest's one huge write is never copied whole.
            buffer.reset();
            buffer.write(bytes, offset + length - (int) limit, (int) limit);
            return;
        }
        buffer.write(bytes, offset, length);
        if (buffer.size() > 2 * limit) {
            byte[] all = buffer.toByteArray();
            buffer.reset();
            buffer.write(all, all.length - (int) limit, (int) limit);
        }
    }

    byte[] bytes() {
        byte[] all = buffer.toByteArray();
        if (mode == Mode.KEEP_TAIL && all.length > limit) {
            return java.util.Arrays.copyOfRange(all, all.length - (int) limit, all.length);
        }
        return all;
    }

    /** Heap the buffer holds (its capacity, which never shrinks). */
    int retainedBytes() {
        return buffer.capacity();
    }

    private static final class Buffer extends ByteArrayOutputStream {
        int capacity() {
            return buf.length;
        }
    }

    /** The kept text, trimmed, for an error message; "" when there is none. */
    String text() {
        return new String(bytes(), StandardCharsets.UTF_8).strip();
    }
}
