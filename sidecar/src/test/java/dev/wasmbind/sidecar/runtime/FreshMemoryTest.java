package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import org.junit.jupiter.api.Test;

class FreshMemoryTest {

    @Test
    void shouldStartZeroedWithTheInitialPages() {
        Memory memory = FreshMemory.allocate(new MemoryLimits(2, 4));

        memory.zero();

        assertThat(memory.pages()).isEqualTo(2);
        assertThat(memory.readBytes(0, 2 * Memory.PAGE_SIZE)).containsOnly(0);
    }

    @Test
    void shouldClearWrittenBytesOnEveryZeroAfterTheFirst() {
        Memory memory = FreshMemory.allocate(new MemoryLimits(1, 1));
        memory.zero(); // the instance's initialisation, skipped
        memory.writeI32(128, 42);

        memory.zero();

        assertThat(memory.readInt(128)).isZero();
    }

    @Test
    void shouldGrowWithZeroedPages() {
        Memory memory = FreshMemory.allocate(new MemoryLimits(1, 3));

        assertThat(memory.grow(2)).isEqualTo(1);
        assertThat(memory.pages()).isEqualTo(3);
        assertThat(memory.readBytes(Memory.PAGE_SIZE, 2 * Memory.PAGE_SIZE)).containsOnly(0);
    }
}
