package dev.wasmbind.sidecar.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap all running guests may claim together. Guest memory lives on the JVM heap, so each call
 * reserves the pages its linear memory starts with before it starts, reserves more as the guest
 * grows it ({@link BudgetedMemory}), and gives all back when its guest ends (not when its answer
 * leaves: a guest that cannot be stopped keeps its memory). The budget counts what guests use, not
 * their caps ({@code limits.maxMemory}), so a normal load of small guests is never refused. A call
 * that does not fit waits for none: it is refused (or its {@code memory.grow} fails), and the
 * caller retries later, rather than the heap running out for every call.
 */
public final class MemoryBudget {

    /** The share of the maximum heap guests may reserve by default; the rest runs the sidecar. */
    public static final double DEFAULT_HEAP_SHARE = 0.5;

    private final long limitBytes;
    private final AtomicLong reserved = new AtomicLong();

    public MemoryBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("a memory budget must be positive");
        }
        this.limitBytes = limitBytes;
    }

    /** Overrides {@link #DEFAULT_HEAP_SHARE} in {@link #forThisJvm()}: a fraction in (0, 1). */
    public static final String HEAP_SHARE_ENV = "WASMBIND_GUEST_HEAP_SHARE";

    /**
     * {@code $WASMBIND_GUEST_HEAP_SHARE} (default half) of this JVM's maximum heap ({@code -Xmx}).
     */
    public static MemoryBudget forThisJvm() {
        String configured = System.getenv(HEAP_SHARE_ENV);
        double share =
                configured == null || configured.isBlank()
                        ? DEFAULT_HEAP_SHARE
                        : Double.parseDouble(configured.trim());
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException(HEAP_SHARE_ENV + " must be between 0 and 1");
        }
        return new MemoryBudget((long) (Runtime.getRuntime().maxMemory() * share));
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes reserved by running guests now. */
    public long reservedBytes() {
        return reserved.get();
    }

    /**
     * Reserves {@code bytes} when they fit next to the running calls' reservations.
     *
     * @return the reservation to close when the guest ends, or null when it does not fit now
     */
    Reservation tryReserve(long bytes) {
        return take(bytes) ? new Reservation(bytes) : null;
    }

    private boolean take(long bytes) {
        long now;
        do {
            now = reserved.get();
            if (now + bytes > limitBytes) {
                return false;
            }
        } while (!reserved.compareAndSet(now, now + bytes));
        return true;
    }

    /**
     * A guest's share of the budget, grown with its memory (on the guest's thread); closing it
     * twice gives it back once.
     */
    final class Reservation implements AutoCloseable {
        private long bytes;
        private boolean closed;
        private boolean refusedGrowth;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** Adds {@code more} bytes when they fit next to the other reservations. */
        synchronized boolean tryGrow(long more) {
            if (closed || !take(more)) {
                refusedGrowth = true;
                return false;
            }
            bytes += more;
            return true;
        }

        /** Whether the guest asked to grow its memory more than the budget could give. */
        synchronized boolean refusedGrowth() {
            return refusedGrowth;
        }

        /** Gives back {@code less} bytes of a growth that did not happen. */
        synchronized void shrink(long less) {
            if (!closed) {
                bytes -= less;
                reserved.addAndGet(-less);
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                reserved.addAndGet(-bytes);
            }
        }
    }
}
