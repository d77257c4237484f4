package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallerRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final CallerRateLimiter limiter = new CallerRateLimiter(2, 3, nanos::get);

    @Test
    void shouldAllowTheBurstThenSayHowLongToWait() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("shop/app")).isEmpty();
        }

        assertThat(limiter.tryAcquire("shop/app")).hasValue(Duration.ofMillis(500));
    }

    @Test
    void shouldRefillAtTheRate() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("shop/app");
        }
        nanos.addAndGet(Duration.ofMillis(500).toNanos());

        assertThat(limiter.tryAcquire("shop/app")).isEmpty();
        assertThat(limiter.tryAcquire("shop/app")).isPresent();
    }

    @Test
    void shouldKeepCallersApart() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("shop/app/pod-1");
        }

        assertThat(limiter.tryAcquire("shop/app/pod-1")).isPresent();
        assertThat(limiter.tryAcquire("shop/app/pod-2")).isEmpty();
    }

    @Test
    void shouldForgetOnlyCallersWhoseBucketIsFull() {
        limiter.tryAcquire("idle");
        limiter.tryAcquire("busy");
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        limiter.tryAcquire("busy");
        limiter.tryAcquire("busy");
        limiter.tryAcquire("busy");

        limiter.sweep();

        assertThat(limiter.size()).isEqualTo(1);
    }

    @Test
    void shouldRefuseANonsenseLimit() {
        assertThatThrownBy(() -> new CallerRateLimiter(0, 3, nanos::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive rate");
    }
}
