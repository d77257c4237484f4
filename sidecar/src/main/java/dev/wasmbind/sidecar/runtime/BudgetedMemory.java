package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A guest's linear memory that takes its pages from the {@link MemoryBudget} as the guest grows it,
 * so the budget counts what guests use rather than what they may use. Loads and stores go straight
 * to a {@link ByteArrayMemory} (a final class: the JIT inlines through this one, the only {@link
 * Memory} the sidecar creates, so every call site stays monomorphic).
 *
 * <p>A {@code memory.grow} the budget cannot hold fails as the wasm spec lets it (returns -1: the
 * guest's allocator reports out of memory) and is remembered by the reservation, so the call is
 * reported as an overloaded sidecar to retry rather than as the guest's bug.
 *
 * <p>A record because the JIT trusts a record's final fields: the delegate's load folds away.
 *
 * @param charge the reservation of the call running in this memory (a reused instance keeps its
 *     memory from call to call, each with its own reservation)
 */
record BudgetedMemory(ByteArrayMemory memory, Charge charge) implements Memory {

    /**
     * @param reservation the call's reservation, already holding the initial pages; grown here
     */
    BudgetedMemory(MemoryLimits limits, MemoryBudget.Reservation reservation) {
        this(new ByteArrayMemory(limits), reservation);
    }

    BudgetedMemory(ByteArrayMemory memory, MemoryBudget.Reservation reservation) {
        this(memory, new Charge(reservation));
    }

    /** The reservation a memory's growth is charged to: the running call's. */
    static final class Charge {
        private MemoryBudget.Reservation reservation;

        Charge(MemoryBudget.Reservation reservation) {
            this.reservation = reservation;
        }

        /** Charges the memory's growth to {@code reservation} from now (the next call's). */
        void chargeTo(MemoryBudget.Reservation reservation) {
            this.reservation = reservation;
        }
    }

    @Override
    public int grow(int size) {
        int before = memory.pages();
        // Past the maximum the memory fails the grow itself; only a grow it would grant is charged.
        if (size <= 0 || (long) before + size > memory.maximumPages()) {
            return memory.grow(size);
        }
        long bytes = (long) size * Memory.PAGE_SIZE;
        MemoryBudget.Reservation reservation = charge.reservation;
        if (!reservation.tryGrow(bytes)) {
            return -1;
        }
        int result = memory.grow(size);
        if (result < 0) {
            reservation.shrink(bytes);
        }
        return result;
    }

    @Override
    public int pages() {
        return memory.pages();
    }

    @Override
    public int initialPages() {
        return memory.initialPages();
    }

    @Override
    public int maximumPages() {
        return memory.maximumPages();
    }

    @Override
    public boolean shared() {
        return memory.shared();
    }

    @SuppressWarnings("removal")
    @Override
    public Object lock(int address) {
        return memory.lock(address);
    }

    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, int expected, long timeout) {
        return memory.waitOn(address, expected, timeout);
    }

    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, long expected, long timeout) {
        return memory.waitOn(address, expected, timeout);
    }

    @SuppressWarnings("removal")
    @Override
    public int notify(int address, int maxThreads) {
        return memory.notify(address, maxThreads);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        memory.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        memory.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        memory.initPassiveSegment(segmentId, dest, offset, size);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        memory.write(addr, data, offset, size);
    }

    @Override
    public byte read(int addr) {
        return memory.read(addr);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        return memory.readBytes(addr, len);
    }

    @Override
    public void writeI32(int addr, int data) {
        memory.writeI32(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return memory.readInt(addr);
    }

    @Override
    public void writeLong(int addr, long data) {
        memory.writeLong(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return memory.readLong(addr);
    }

    @Override
    public void writeShort(int addr, short data) {
        memory.writeShort(addr, data);
    }

    @Override
    public short readShort(int addr) {
        return memory.readShort(addr);
    }

    @Override
    public long readU16(int addr) {
        return memory.readU16(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        memory.writeByte(addr, data);
    }

    @Override
    public void writeF32(int addr, float data) {
        memory.writeF32(addr, data);
    }

    @Override
    public long readF32(int addr) {
        return memory.readF32(addr);
    }

    @Override
    public float readFloat(int addr) {
        return memory.readFloat(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        memory.writeF64(addr, data);
    }

    @Override
    public double readDouble(int addr) {
        return memory.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return memory.readF64(addr);
    }

    @Override
    public void zero() {
        memory.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        memory.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        memory.copy(dest, src, size);
    }

    @Override
    public void drop(int segment) {
        memory.drop(segment);
    }
}
