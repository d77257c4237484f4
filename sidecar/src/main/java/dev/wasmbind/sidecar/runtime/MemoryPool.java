package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A binding's guest memories, kept between calls instead of allocated for each, for the modules
 * whose instances are not reused ({@link InstancePool} keeps the others' memories with their
 * instances): a small C guest's 128 KiB on every call was most of what the sidecar allocated, and
 * the young collections it caused paused the event loop too.
 *
 * <p>A memory comes back only as it started (never grown: a memory cannot shrink), and a call that
 * takes one gets it as the previous call left it. It is Chicory that makes it fresh: instantiating
 * zeroes every page of the instance's memory and then writes the data segments ({@code
 * Instance.initialize}), before any guest code runs, so no byte of a previous call is readable;
 * {@code GuestRunnerTest} checks it on every call with a reused memory. The pool holds few memories
 * and none that are large: idle memories are heap the sidecar keeps, outside the guests' budget.
 */
final class MemoryPool {

    /** At most this many idle memories per binding (about the calls that run at once). */
    static final int MAX_IDLE = 4;

    /** At most this many bytes of idle memories per binding; larger memories are not kept. */
    static final long MAX_IDLE_BYTES = 2L * 1024 * 1024;

    private final MemoryLimits limits;
    private final ByteArrayMemory[] idle;
    private int idleCount;

    /**
     * @param limits every memory's limits: the module's initial pages and the binding's cap
     */
    MemoryPool(MemoryLimits limits) {
        this.limits = limits;
        this.idle = new ByteArrayMemory[capacityFor(limits)];
    }

    /** How many idle memories of {@code limits} a binding keeps (none that are shared). */
    static int capacityFor(MemoryLimits limits) {
        long bytes = (long) limits.initialPages() * ByteArrayMemory.PAGE_SIZE;
        int fits = bytes == 0 ? MAX_IDLE : (int) Math.min(MAX_IDLE, MAX_IDLE_BYTES / bytes);
        return limits.shared() ? 0 : fits;
    }

    /** Whether a memory of {@code limits} can come from this pool. */
    boolean holds(MemoryLimits limits) {
        return idle.length > 0 && this.limits.equals(limits);
    }

    /** An idle memory as its last call left it (not zeroed), or a new one. */
    ByteArrayMemory take() {
        synchronized (this) {
            if (idleCount > 0) {
                ByteArrayMemory memory = idle[--idleCount];
                idle[idleCount] = null;
                return memory;
            }
        }
        return new ByteArrayMemory(limits);
    }

    /**
     * Keeps {@code memory} for a later call when it is still its initial size and there is room;
     * only once its guest has ended.
     */
    void giveBack(ByteArrayMemory memory) {
        if (memory.pages() != limits.initialPages()) {
            return;
        }
        synchronized (this) {
            if (idleCount < idle.length) {
                idle[idleCount++] = memory;
            }
        }
    }

    /** Idle memories now (tests). */
    synchronized int idleCount() {
        return idleCount;
    }
}
