package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Dapr's {@code strictSandbox} for one call: the wall clock starts at the current whole second and
 * the monotonic clock at 0, each advancing 1 ms per read; sleeps ({@code poll_oneoff}) return at
 * once; {@code random_get} yields the same bytes on every call. Chicory's monotonic clock and
 * sleeps cannot be injected, so these three WASI functions are replaced.
 */
final class StrictSandbox {

    static final Set<String> REPLACED = Set.of("clock_time_get", "poll_oneoff", "random_get");

    private static final String WASI = "wasi_snapshot_preview1";
    private static final long STEP_NANOS = 1_000_000L;
    private static final long RANDOM_SEED = 0x5eed_d4e7L;

    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int ERRNO_SUCCESS = 0;
    private static final int ERRNO_INVAL = 28;
    private static final int ERRNO_NOTSUP = 58;
    private static final byte EVENT_CLOCK = 0;

    private long wallNanos;
    private long monotonicNanos;
    private final SplittableRandom random = new SplittableRandom(RANDOM_SEED);

    StrictSandbox(long nowMillis) {
        long wholeSecond = (nowMillis / 1000) * 1000;
        // The first read returns the start value, each later read 1 ms more.
        this.wallNanos = wholeSecond * 1_000_000L - STEP_NANOS;
        this.monotonicNanos = -STEP_NANOS;
    }

    List<HostFunction> hostFunctions() {
        return List.of(
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
            case 2, 3 -> {
                return ERRNO_NOTSUP;
            }
            default -> {
                return ERRNO_INVAL;
            }
        }
    }

    /** Every subscription fires at once: clocks have "expired", streams are "ready". */
    private int pollOneoff(Memory memory, int inPtr, int outPtr, int count, int neventsPtr) {
        if (count <= 0) {
            return ERRNO_INVAL;
        }
        for (int i = 0; i < count; i++) {
            int subscription = inPtr + i * 48;
            int event = outPtr + i * 32;
            long userData = memory.readLong(subscription);
            byte type = memory.read(subscription + 8);
            memory.fill((byte) 0, event, event + 32);
            memory.writeLong(event, userData);
            memory.writeShort(event + 8, (short) ERRNO_SUCCESS);
            memory.writeByte(event + 10, type == EVENT_CLOCK ? EVENT_CLOCK : type);
        }
        memory.writeI32(neventsPtr, count);
        return ERRNO_SUCCESS;
    }

    private int randomGet(Memory memory, int buf, int length) {
        if (length < 0) {
            return ERRNO_INVAL;
        }
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        memory.write(buf, bytes);
        return ERRNO_SUCCESS;
    }

    private static long[] result(int errno) {
        return new long[] {errno};
    }
}
