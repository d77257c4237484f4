package dev.wasmbind.sidecar.http;

import java.util.concurrent.atomic.AtomicLong;

/** The request-body bytes all calls hold at once, bounded: reserved as bytes arrive. */
final class RequestBytesBudget {

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    RequestBytesBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit under the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > limit) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }
}
