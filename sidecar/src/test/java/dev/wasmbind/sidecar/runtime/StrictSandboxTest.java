package dev.wasmbind.sidecar.runtime;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.sun.management.ThreadMXBean;
import dev.wasmbind.sidecar.runtime.GuestFailure.Kind;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Strict-mode {@code random_get} with buffers as large as the guest's memory. */
class StrictSandboxTest {

    /** random-big.wasm's memory: 512 pages. */
    private static final int GUEST_MEMORY_BYTES = 512 * 65536;

    private static final int DATA_OFFSET = 64;
    private static final GuestRunner RUNNER = new GuestRunner();
    private static final RunSettings STRICT =
            RunSettings.builder("random-big").withStrictSandbox(true).build();

    @Test
    void shouldFillTheWholeMemoryWithTheBytesOfOneReadWithoutACopyOfIt() throws Exception {
        CompiledModule module = compiled("random-big");
        int length = GUEST_MEMORY_BYTES - DATA_OFFSET;
        RUNNER.run(module, STRICT, parameters(DATA_OFFSET, 64), List.of()); // warm the path
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        byte[] out = RUNNER.run(module, STRICT, parameters(DATA_OFFSET, length), List.of());

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        byte[] expected = new byte[length];
        new GoMathRand(42).read(expected);
        assertThat(out).isEqualTo(Arrays.copyOfRange(expected, length - 16, length));
        // The guest's memory is allocated once; a random buffer as large as the request was a
        // second copy of it.
        assertThat(allocated).isLessThan(GUEST_MEMORY_BYTES + 8L * 1024 * 1024);
    }

    @Test
    void shouldAnswerEfaultForABufferOutsideMemory() {
        // wazero answers EFAULT (21) and writes nothing; the guest exits with the errno.
        assertThatThrownBy(
                        () ->
                                RUNNER.run(
                                        compiled("random-big"),
                                        STRICT,
                                        parameters(GUEST_MEMORY_BYTES - 8, 16),
                                        List.of()))
                .isInstanceOfSatisfying(
                        GuestFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.EXIT))
                .hasMessageContaining("exit_code(21)");
        assertThatThrownBy(
                        () ->
                                RUNNER.run(
                                        compiled("random-big"),
                                        STRICT,
                                        parameters(DATA_OFFSET, 0xFFFF_FFF0),
                                        List.of()))
                .hasMessageContaining("exit_code(21)");
    }

    @Test
    void shouldStopBetweenChunksOnceItsThreadIsInterrupted() {
        // A memory whose first write interrupts the thread, as the timeout watchdog would while
        // the call runs: the fill stops after that chunk instead of filling all 32 MiB.
        var writes = new AtomicInteger();
        Memory memory = interruptingOnWrite(new ByteArrayMemory(new MemoryLimits(512)), writes);
        var sandbox = new StrictSandbox(0);

        try {
            assertThatThrownBy(() -> sandbox.randomGet(memory, 0, GUEST_MEMORY_BYTES))
                    .isInstanceOf(ChicoryInterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(writes).hasValue(1);
        assertThat(memory.read(StrictSandbox.RANDOM_CHUNK_BYTES + 1)).isZero();
    }

    @Test
    void shouldGiveTheSameBytesReadInChunksAsReadAtOnce() {
        var sandbox = new StrictSandbox(0);
        var memory = new ByteArrayMemory(new MemoryLimits(8));
        int length = 3 * StrictSandbox.RANDOM_CHUNK_BYTES + 5;

        assertThat(sandbox.randomGet(memory, 3, 5)).isZero();
        assertThat(sandbox.randomGet(memory, 8, length)).isZero();

        byte[] expected = new byte[5 + length];
        new GoMathRand(42).read(expected);
        assertThat(memory.readBytes(3, 5 + length)).isEqualTo(expected);
    }

    private static byte[] parameters(int offset, int length) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(offset)
                .putInt(length)
                .array();
    }

    private static Memory interruptingOnWrite(Memory delegate, AtomicInteger writes) {
        return (Memory)
                Proxy.newProxyInstance(
                        Memory.class.getClassLoader(),
                        new Class<?>[] {Memory.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("write") && args.length == 4) {
                                writes.incrementAndGet();
                                Thread.currentThread().interrupt();
                            }
                            try {
                                return method.invoke(delegate, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
    }
}
