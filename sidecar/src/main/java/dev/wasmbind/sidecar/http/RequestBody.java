package dev.wasmbind.sidecar.http;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * A request body as it arrives: its chunks copied into one array, sized by the declared {@code
 * Content-Length} so that a body is copied once on its way in (a {@link Buffer} would copy it again
 * when turned into bytes). Read on the event loop, then handed to one other thread.
 */
final class RequestBody {

    private byte[] bytes;
    private int length;

    /**
     * @param array where the body goes, at least the declared length (it grows past it otherwise)
     */
    RequestBody(byte[] array) {
        this.bytes = array;
    }

    void append(Buffer chunk) {
        int n = chunk.length();
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + n, 2 * bytes.length));
        }
        chunk.getBytes(0, n, bytes, length);
        length += n;
    }

    /** The array holding the body in {@code [0, length())}; it may be longer. */
    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /**
     * Gives the array to {@code pool} for a later body, once: call it only when nothing reads the
     * body any more (see {@link BodyArrayPool}). The body is unreadable afterwards.
     */
    void release(BodyArrayPool pool) {
        if (bytes != null) {
            pool.giveBack(bytes);
            bytes = null;
        }
    }
}
