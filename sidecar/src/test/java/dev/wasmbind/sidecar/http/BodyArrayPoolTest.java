package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BodyArrayPoolTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void shouldGiveSmallBodiesArraysOfTheirOwnSize() {
        var pool = new BodyArrayPool();

        byte[] array = pool.take(100);
        pool.giveBack(array);

        assertThat(array).hasSize(100);
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void shouldReuseAnArrayGivenBackForTheNextLargeBody() {
        var pool = new BodyArrayPool();

        byte[] first = pool.take(2 * MIB + 33);
        pool.giveBack(first);
        byte[] second = pool.take(2 * MIB + 40);

        assertThat(first.length % BodyArrayPool.MIN_POOLED_BYTES).isZero();
        assertThat(first.length).isGreaterThanOrEqualTo(2 * MIB + 40);
        assertThat(second).isSameAs(first);
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void shouldTakeTheSmallestIdleArrayThatFits() {
        var pool = new BodyArrayPool();
        byte[] large = pool.take(2 * MIB);
        byte[] small = pool.take(MIB);
        pool.giveBack(large);
        pool.giveBack(small);

        assertThat(pool.take(MIB / 2)).isSameAs(small);
        assertThat(pool.take(MIB / 2)).isSameAs(large);
        assertThat(pool.take(MIB / 2)).isNotSameAs(small).isNotSameAs(large);
    }

    @Test
    void shouldNeverHoldMoreThanItsIdleLimits() {
        var pool = new BodyArrayPool();
        byte[] a = pool.take(MIB);
        byte[] b = pool.take(MIB);
        byte[] c = pool.take(MIB);
        byte[] huge = pool.take((int) BodyArrayPool.MAX_IDLE_BYTES + 1);

        pool.giveBack(huge);
        pool.giveBack(a);
        pool.giveBack(b);
        pool.giveBack(c);

        assertThat(pool.idleCount()).isEqualTo(BodyArrayPool.MAX_IDLE);
        byte[] big = pool.take(3 * MIB);
        assertThat(big).isNotSameAs(huge).isNotSameAs(a).isNotSameAs(b);
        assertThat(pool.idleCount()).isEqualTo(BodyArrayPool.MAX_IDLE);
    }
}
