package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A binding's idle guest instances, reset and reused instead of built for every call: building one
 * (Chicory's import matching and the instance's construction) was about half of a tiny call.
 *
 * <p>A call takes an idle instance and resets it with Chicory's own {@code Instance.initialize}
 * before any guest code runs, as a new instance is: the memory zeroed and the data segments written
 * again, new globals from their initialisers, the active element segments written into the tables,
 * the start function run. That restores everything a module's code can change only when it has none
 * of the instructions {@link ResettableCode} looks for; other modules get no pool. The call's host
 * state (WASI descriptors, STDIN, STDOUT, clocks) is never the instance's: it is the call's {@link
 * GuestCall}.
 *
 * <p>Only modules all compiled have a pool: compiled code holds its state on the JVM's stack, but
 * functions left to Chicory's interpreter ({@link CompiledModule.Engine#COMPILER_WITH_INTERPRETER})
 * run on a machine whose stacks would keep what an exit left on them. An instance comes back only
 * from a guest that ended by returning from {@code _start} or by {@code proc_exit}, with its memory
 * at its initial size (a memory cannot shrink). A trap, a timeout or an interrupt drops the
 * instance. Like {@link MemoryPool}, the pool keeps few instances and none whose memory is large.
 */
final class InstancePool {

    private final MemoryLimits limits;
    private final Entry[] idle;
    private int idleCount;

    /** An instance with the charge its memory's growth goes to (the running call's reservation). */
    record Entry(Instance instance, BudgetedMemory.Charge charge) {}

    private InstancePool(MemoryLimits limits, int capacity) {
        this.limits = limits;
        this.idle = new Entry[capacity];
    }

    /**
     * A pool for the instances of {@code compiled} with memories of {@code limits}, or null when
     * they cannot be reused: interpreted in whole or in part, code that changes more than memory
     * and globals, a shared memory or one too large to keep idle.
     */
    static InstancePool forModule(CompiledModule compiled, MemoryLimits limits) {
        int capacity = MemoryPool.capacityFor(limits);
        if (compiled.engine() != CompiledModule.Engine.COMPILER
                || capacity == 0
                || ResettableCode.obstacle(compiled.module()) != null) {
            return null;
        }
        return new InstancePool(limits, capacity);
    }

    /**
     * An idle instance, reset and charged to {@code reservation}, or null when none is idle. A
     * reset that fails (a trapping start function) drops the instance and throws.
     */
    Entry take(MemoryBudget.Reservation reservation) {
        Entry entry;
        synchronized (this) {
            if (idleCount == 0) {
                return null;
            }
            entry = idle[--idleCount];
            idle[idleCount] = null;
        }
        entry.charge().chargeTo(reservation);
        entry.instance().initialize(false);
        return entry;
    }

    /**
     * Keeps the instance of a call whose guest ended normally, when its memory is still its initial
     * size and there is room.
     */
    void giveBack(Entry entry) {
        Instance instance = entry.instance();
        if (instance.memory() == null || instance.memory().pages() != limits.initialPages()) {
            return;
        }
        entry.charge().chargeTo(null);
        synchronized (this) {
            if (idleCount < idle.length) {
                idle[idleCount++] = entry;
            }
        }
    }

    /** Idle instances now (tests). */
    synchronized int idleCount() {
        return idleCount;
    }
}
