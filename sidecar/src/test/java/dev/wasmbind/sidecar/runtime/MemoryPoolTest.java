package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import org.junit.jupiter.api.Test;

class MemoryPoolTest {

    private static final MemoryLimits TWO_PAGES = new MemoryLimits(2, 1024);

    @Test
    void shouldHandOutAMemoryGivenBackInsteadOfANewOne() {
        var pool = new MemoryPool(TWO_PAGES);
        ByteArrayMemory first = pool.take();

        pool.giveBack(first);

        assertThat(pool.take()).isSameAs(first);
        assertThat(pool.take()).isNotSameAs(first);
    }

    @Test
    void shouldNotKeepAMemoryThatGrew() {
        var pool = new MemoryPool(TWO_PAGES);
        ByteArrayMemory memory = pool.take();
        memory.grow(1);

        pool.giveBack(memory);

        assertThat(pool.idleCount()).isZero();
        assertThat(pool.take().pages()).isEqualTo(2);
    }

    @Test
    void shouldKeepAtMostItsCapacity() {
        var pool = new MemoryPool(TWO_PAGES);
        for (int i = 0; i < MemoryPool.MAX_IDLE + 3; i++) {
            pool.giveBack(new ByteArrayMemory(TWO_PAGES));
        }

        assertThat(pool.idleCount()).isEqualTo(MemoryPool.MAX_IDLE);
    }

    @Test
    void shouldKeepFewerOfLargerMemoriesAndNoneBeyondItsByteCap() {
        // 16 pages = 1 MiB: two fit in the 2 MiB cap; 64 pages (4 MiB) are never kept.
        var mebibyte = new MemoryPool(new MemoryLimits(16, 1024));
        var large = new MemoryPool(new MemoryLimits(64, 1024));
        for (int i = 0; i < MemoryPool.MAX_IDLE; i++) {
            mebibyte.giveBack(new ByteArrayMemory(new MemoryLimits(16, 1024)));
            large.giveBack(new ByteArrayMemory(new MemoryLimits(64, 1024)));
        }

        assertThat(mebibyte.idleCount()).isEqualTo(2);
        assertThat(large.idleCount()).isZero();
        assertThat(large.holds(new MemoryLimits(64, 1024))).isFalse();
    }

    @Test
    void shouldHoldOnlyMemoriesOfItsOwnLimits() {
        var pool = new MemoryPool(TWO_PAGES);

        assertThat(pool.holds(new MemoryLimits(2, 1024))).isTrue();
        assertThat(pool.holds(new MemoryLimits(2, 64))).isFalse();
        assertThat(pool.holds(new MemoryLimits(1, 1024))).isFalse();
    }
}
