package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;

/**
 * A guest memory made new for one call, which skips the zeroing Chicory asks for when it
 * initialises an instance: the JVM already hands out zeroed pages, so a second pass over them was a
 * quarter of a tiny call's CPU. Every other operation is {@link ByteArrayMemory}'s.
 *
 * <p>Only the first {@link #zero()} is skipped, and only because this memory is never reused:
 * nothing can have written to it before its instance initialises it. Later calls of {@code zero()}
 * clear it as usual.
 */
final class FreshMemory implements Memory {

    private final ByteArrayMemory delegate;
    private boolean zeroOnAllocation = true;

    private FreshMemory(MemoryLimits limits) {
        this.delegate = new ByteArrayMemory(limits);
    }

    /** The memory factory for {@code Instance.Builder.withMemoryFactory}. */
    static Memory allocate(MemoryLimits limits) {
        return new FreshMemory(limits);
    }

    @Override
    public void zero() {
        if (zeroOnAllocation) {
            zeroOnAllocation = false;
            return;
        }
        delegate.zero();
    }

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        return delegate.lock(address);
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        return delegate.waitOn(address, expected, timeout);
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return delegate.notify(address, maxThreads);
    }

    @Override
    public int pages() {
        return delegate.pages();
    }

    @Override
    public int grow(int pages) {
        return delegate.grow(pages);
    }

    @Override
    public int initialPages() {
        return delegate.initialPages();
    }

    @Override
    public int maximumPages() {
        return delegate.maximumPages();
    }

    @Override
    public boolean shared() {
        return delegate.shared();
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        delegate.initialize(instance, dataSegments);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        delegate.initialize(instance, dataSegments, memoryIndex);
    }

    @Override
    public void initPassiveSegment(int segmentId, int destination, int offset, int size) {
        delegate.initPassiveSegment(segmentId, destination, offset, size);
    }

    @Override
    public void write(int address, byte[] data, int offset, int size) {
        delegate.write(address, data, offset, size);
    }

    @Override
    public byte read(int address) {
        return delegate.read(address);
    }

    @Override
    public byte[] readBytes(int address, int length) {
        return delegate.readBytes(address, length);
    }

    @Override
    public void writeI32(int address, int value) {
        delegate.writeI32(address, value);
    }

    @Override
    public int readInt(int address) {
        return delegate.readInt(address);
    }

    @Override
    public void writeLong(int address, long value) {
        delegate.writeLong(address, value);
    }

    @Override
    public long readLong(int address) {
        return delegate.readLong(address);
    }

    @Override
    public void writeShort(int address, short value) {
        delegate.writeShort(address, value);
    }

    @Override
    public short readShort(int address) {
        return delegate.readShort(address);
    }

    @Override
    public long readU16(int address) {
        return delegate.readU16(address);
    }

    @Override
    public void writeByte(int address, byte value) {
        delegate.writeByte(address, value);
    }

    @Override
    public void writeF32(int address, float value) {
        delegate.writeF32(address, value);
    }

    @Override
    public long readF32(int address) {
        return delegate.readF32(address);
    }

    @Override
    public float readFloat(int address) {
        return delegate.readFloat(address);
    }

    @Override
    public void writeF64(int address, double value) {
        delegate.writeF64(address, value);
    }

    @Override
    public double readDouble(int address) {
        return delegate.readDouble(address);
    }

    @Override
    public long readF64(int address) {
        return delegate.readF64(address);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        delegate.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int destination, int source, int size) {
        delegate.copy(destination, source, size);
    }

    @Override
    public void drop(int segment) {
        delegate.drop(segment);
    }

    @Override
    public void atomicFence() {
        delegate.atomicFence();
    }

    @Override
    public byte atomicAddByte(int address, byte value) {
        return delegate.atomicAddByte(address, value);
    }

    @Override
    public int atomicAddInt(int address, int value) {
        return delegate.atomicAddInt(address, value);
    }

    @Override
    public long atomicAddLong(int address, long value) {
        return delegate.atomicAddLong(address, value);
    }

    @Override
    public short atomicAddShort(int address, short value) {
        return delegate.atomicAddShort(address, value);
    }

    @Override
    public byte atomicAndByte(int address, byte value) {
        return delegate.atomicAndByte(address, value);
    }

    @Override
    public int atomicAndInt(int address, int value) {
        return delegate.atomicAndInt(address, value);
    }

    @Override
    public long atomicAndLong(int address, long value) {
        return delegate.atomicAndLong(address, value);
    }

    @Override
    public short atomicAndShort(int address, short value) {
        return delegate.atomicAndShort(address, value);
    }

    @Override
    public byte atomicCmpxchgByte(int address, byte expected, byte replacement) {
        return delegate.atomicCmpxchgByte(address, expected, replacement);
    }

    @Override
    public int atomicCmpxchgInt(int address, int expected, int replacement) {
        return delegate.atomicCmpxchgInt(address, expected, replacement);
    }

    @Override
    public long atomicCmpxchgLong(int address, long expected, long replacement) {
        return delegate.atomicCmpxchgLong(address, expected, replacement);
    }

    @Override
    public short atomicCmpxchgShort(int address, short expected, short replacement) {
        return delegate.atomicCmpxchgShort(address, expected, replacement);
    }

    @Override
    public byte atomicOrByte(int address, byte value) {
        return delegate.atomicOrByte(address, value);
    }

    @Override
    public int atomicOrInt(int address, int value) {
        return delegate.atomicOrInt(address, value);
    }

    @Override
    public long atomicOrLong(int address, long value) {
        return delegate.atomicOrLong(address, value);
    }

    @Override
    public short atomicOrShort(int address, short value) {
        return delegate.atomicOrShort(address, value);
    }

    @Override
    public byte atomicReadByte(int address) {
        return delegate.atomicReadByte(address);
    }

    @Override
    public int atomicReadInt(int address) {
        return delegate.atomicReadInt(address);
    }

    @Override
    public long atomicReadLong(int address) {
        return delegate.atomicReadLong(address);
    }

    @Override
    public short atomicReadShort(int address) {
        return delegate.atomicReadShort(address);
    }

    @Override
    public void atomicWriteByte(int address, byte value) {
        delegate.atomicWriteByte(address, value);
    }

    @Override
    public void atomicWriteInt(int address, int value) {
        delegate.atomicWriteInt(address, value);
    }

    @Override
    public void atomicWriteLong(int address, long value) {
        delegate.atomicWriteLong(address, value);
    }

    @Override
    public void atomicWriteShort(int address, short value) {
        delegate.atomicWriteShort(address, value);
    }

    @Override
    public byte atomicXchgByte(int address, byte value) {
        return delegate.atomicXchgByte(address, value);
    }

    @Override
    public int atomicXchgInt(int address, int value) {
        return delegate.atomicXchgInt(address, value);
    }

    @Override
    public long atomicXchgLong(int address, long value) {
        return delegate.atomicXchgLong(address, value);
    }

    @Override
    public short atomicXchgShort(int address, short value) {
        return delegate.atomicXchgShort(address, value);
    }

    @Override
    public byte atomicXorByte(int address, byte value) {
        return delegate.atomicXorByte(address, value);
    }

    @Override
    public int atomicXorInt(int address, int value) {
        return delegate.atomicXorInt(address, value);
    }

    @Override
    public long atomicXorLong(int address, long value) {
        return delegate.atomicXorLong(address, value);
    }

    @Override
    public short atomicXorShort(int address, short value) {
        return delegate.atomicXorShort(address, value);
    }
}
