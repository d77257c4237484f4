package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import java.util.Set;

/**
 * Dapr's {@code strictSandbox} for one call, as wazero 1.8 gives it with Dapr's wall clock: the
 * wall clock reads the current whole second plus 1 ms first, the monotonic clock 0, each later read
 * 1 ms more (per clock); resolutions are 1 ms (wall) and 1 ns (monotonic); sleeps ({@code
 * poll_oneoff}) return at once; {@code random_get} reads Go's {@code math/rand} seeded with 42, so
 * every call gets the bytes Dapr gives. Chicory's monotonic clock and sleeps cannot be injected, so
 * these WASI functions are replaced.
 */
final class StrictSandbox {

    static final Set<String> REPLACED =
            Set.of("clock_res_get", "clock_time_get", "poll_oneoff", "random_get");

    private static final String WASI = "wasi_snapshot_preview1";
    private static final long STEP_NANOS = 1_000_000L;
    private static final long WALL_RESOLUTION_NANOS = 1_000_000L;
    private static final long MONOTONIC_RESOLUTION_NANOS = 1L;
    private static final long PAGE_BYTES = 65536L;

    /** How much {@code random_get} fills between two checks of the interrupt flag. */
    static final int RANDOM_CHUNK_BYTES = 64 * 1024;

    /** wazero's fake random source: {@code rand.New(rand.NewSource(42))}. */
    private static final long RANDOM_SEED = 42;

    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int ERRNO_SUCCESS = 0;
    private static final int ERRNO_FAULT = 21;
    private static final int ERRNO_INVAL = 28;
    private static final int ERRNO_NOTSUP = 58;
    private static final byte EVENT_CLOCK = 0;
    private static final byte EVENT_FD_READ = 1;
    private static final byte EVENT_FD_WRITE = 2;

    private long wallNanos;
    private long monotonicNanos;
    private final GoMathRand random = new GoMathRand(RANDOM_SEED);

    StrictSandbox(long nowMillis) {
        // Each read adds the step first and returns the sum (Go's atomic.AddInt64): Dapr starts
        // its wall clock at the whole second, so the first read is 1 ms past it; wazero starts
        // its monotonic clock at -1 ms, so the first read is 0.
        this.wallNanos = Math.floorDiv(nowMillis, 1000L) * 1_000_000_000L;
        this.monotonicNanos = -STEP_NANOS;
    }

    List<HostFunction> hostFunctions() {
        return List.of(
                new HostFunction(
                        WASI,
                        "clock_res_get",
                        FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)),
                        (instance, args) ->
                                result(clockResGet(instance, (int) args[0], (int) args[1]))),
                new HostFunction(
                        WASI,
                        "clock_time_get",
                        FunctionType.of(
                                List.of(ValType.I32, ValType.I64, ValType.I32),
                                List.of(ValType.I32)),
                        (instance, args) ->
                                result(clockTimeGet(instance, (int) args[0], (int) args[2]))),
                new HostFunction(
                        WASI,
                        "poll_oneoff",
                        FunctionType.of(
                                List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                                List.of(ValType.I32)),
                        (instance, args) ->
                                result(
                                        pollOneoff(
                                                instance.memory(),
                                                (int) args[0],
                                                (int) args[1],
                                                (int) args[2],
                                                (int) args[3]))),
                new HostFunction(
                        WASI,
                        "random_get",
                        FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)),
                        (instance, args) ->
                                result(
                                        randomGet(
                                                instance.memory(), (int) args[0], (int) args[1]))));
    }

    private int clockTimeGet(Instance instance, int clockId, int resultPtr) {
        switch (clockId) {
            case CLOCK_REALTIME -> {
                wallNanos += STEP_NANOS;
                instance.memory().writeLong(resultPtr, wallNanos);
                return ERRNO_SUCCESS;
            }
            case CLOCK_MONOTONIC -> {
                monotonicNanos += STEP_NANOS;
                instance.memory().writeLong(resultPtr, monotonicNanos);
                return ERRNO_SUCCESS;
            }
            default -> {
                // wazero answers EINVAL for the CPU-time clocks too.
                return ERRNO_INVAL;
            }
        }
    }

    private static int clockResGet(Instance instance, int clockId, int resultPtr) {
        long resolution;
        switch (clockId) {
            case CLOCK_REALTIME -> resolution = WALL_RESOLUTION_NANOS;
            case CLOCK_MONOTONIC -> resolution = MONOTONIC_RESOLUTION_NANOS;
            default -> {
                return ERRNO_INVAL;
            }
        }
        instance.memory().writeLong(resultPtr, resolution);
        return ERRNO_SUCCESS;
    }

    /**
     * Every subscription fires at once, as in wazero with its fake sleep: relative clocks have
     * "expired" (absolute ones are ENOTSUP), reads are ready (STDIN is in memory), writes answer
     * ENOTSUP in the event.
     */
    private int pollOneoff(Memory memory, int inPtr, int outPtr, int count, int neventsPtr) {
        if (count <= 0) {
            return ERRNO_INVAL;
        }
        memory.fill((byte) 0, outPtr, outPtr + count * 32);
        for (int i = 0; i < count; i++) {
            int subscription = inPtr + i * 48;
            int event = outPtr + i * 32;
            long userData = memory.readLong(subscription);
            byte type = memory.read(subscription + 8);
            int eventErrno = ERRNO_SUCCESS;
            switch (type) {
                case EVENT_CLOCK -> {
                    short flags = memory.readShort(subscription + 16 + 24);
                    if (flags == 1) {
                        return ERRNO_NOTSUP;
                    } else if (flags != 0) {
                        return ERRNO_INVAL;
                    }
                }
                case EVENT_FD_READ -> {}
                case EVENT_FD_WRITE -> eventErrno = ERRNO_NOTSUP;
                default -> {
                    return ERRNO_INVAL;
                }
            }
            memory.writeLong(event, userData);
            memory.writeShort(event + 8, (short) eventErrno);
            memory.writeByte(event + 10, type);
        }
        memory.writeI32(neventsPtr, count);
        return ERRNO_SUCCESS;
    }

    /**
     * Fills the guest's buffer from the seeded source in chunks of {@link #RANDOM_CHUNK_BYTES}: a
     * guest asking for its whole memory costs one chunk of heap, not a copy of its memory, and is
     * stopped between chunks once its thread is interrupted (its timeout). A buffer outside memory
     * is EFAULT before any byte is written, as in wazero; lengths are unsigned.
     */
    int randomGet(Memory memory, int buf, int length) {
        long start = Integer.toUnsignedLong(buf);
        long size = Integer.toUnsignedLong(length);
        if (start + size > (long) memory.pages() * PAGE_BYTES) {
            return ERRNO_FAULT;
        }
        byte[] chunk = new byte[(int) Math.min(size, RANDOM_CHUNK_BYTES)];
        long written = 0;
        while (written < size) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ChicoryInterruptedException("Thread interrupted");
            }
            int n = (int) Math.min(chunk.length, size - written);
            random.read(chunk, 0, n);
            memory.write((int) (start + written), chunk, 0, n);
            written += n;
        }
        return ERRNO_SUCCESS;
    }

    private static long[] result(int errno) {
        return new long[] {errno};
    }
}
