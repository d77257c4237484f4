package dev.wasmbind.sidecar.http;

/**
 * Arrays for large request bodies, kept between calls instead of allocated for each. A 2 MiB body
 * allocated per request was alive whenever a young collection came (it lives while the guest runs,
 * since STDIN is its range), so it was promoted, and the old generation filled with dead bodies: a
 * full collection every few large requests (docs/bench/http-path.md, "Where the 27 ms went").
 *
 * <p>An array comes back only when no thread can read it any more: after the guest that read STDIN
 * from it has returned, or after decoding when STDIN was copied out of it. A call that failed or
 * timed out (its guest may still be running) never gives its array back. A body is written over the
 * array's start and only {@code [0, length)} is read, so a previous body's bytes are never visible.
 * The pool holds few arrays and no large ones: idle arrays are heap the sidecar keeps.
 */
final class BodyArrayPool {

    /** Bodies shorter than this get arrays of their own (a young collection frees them cheaply). */
    static final int MIN_POOLED_BYTES = 64 * 1024;

    /** At most this many idle arrays (about the large requests handled at once). */
    static final int MAX_IDLE = 2;

    /** At most this many bytes of idle arrays; larger arrays are not kept. */
    static final long MAX_IDLE_BYTES = 4L * 1024 * 1024;

    private final byte[][] idle = new byte[MAX_IDLE][];
    private int idleCount;
    private long idleBytes;

    /**
     * An array for a body of {@code length} bytes: an idle one that is large enough, else a new one
     * (rounded up to a multiple of {@link #MIN_POOLED_BYTES} when it is pooled, so that bodies of
     * about the same size share arrays).
     */
    byte[] take(int length) {
        if (length < MIN_POOLED_BYTES) {
            return new byte[length];
        }
        synchronized (this) {
            int best = -1;
            for (int i = 0; i < idleCount; i++) {
                if (idle[i].length >= length && (best < 0 || idle[i].length < idle[best].length)) {
                    best = i;
                }
            }
            if (best >= 0) {
                byte[] array = idle[best];
                idle[best] = idle[--idleCount];
                idle[idleCount] = null;
                idleBytes -= array.length;
                return array;
            }
        }
        long rounded = (length + (long) MIN_POOLED_BYTES - 1) / MIN_POOLED_BYTES * MIN_POOLED_BYTES;
        return new byte[(int) Math.min(rounded, Integer.MAX_VALUE - 8)];
    }

    /** Keeps {@code array} for a later body when it is a pooled size and there is room. */
    void giveBack(byte[] array) {
        if (array.length < MIN_POOLED_BYTES || array.length > MAX_IDLE_BYTES) {
            return;
        }
        synchronized (this) {
            if (idleCount < MAX_IDLE && idleBytes + array.length <= MAX_IDLE_BYTES) {
                idle[idleCount++] = array;
                idleBytes += array.length;
            }
        }
    }

    /** Idle arrays now (tests). */
    synchronized int idleCount() {
        return idleCount;
    }
}
