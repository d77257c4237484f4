package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void shouldDoubleUpToTheCapAtTheTopOfTheJitter() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.999999);

        long[] delays = new long[7];
        for (int i = 0; i < delays.length; i++) {
            delays[i] = backoff.next().toMillis();
        }

        assertThat(delays).containsExactly(999, 1999, 3999, 7999, 15999, 29999, 29999);
        assertThat(backoff.failures()).isEqualTo(7);
    }

    @Test
    void shouldNeverWaitLessThanHalfTheDelay() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.0);

        assertThat(backoff.next()).hasMillis(500);
        assertThat(backoff.next()).hasMillis(1000);
    }

    @Test
    void shouldStartOverAfterAReset() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.0);
        backoff.next();
        backoff.next();

        backoff.reset();

        assertThat(backoff.next()).hasMillis(500);
        assertThat(backoff.failures()).isEqualTo(1);
    }

    @Test
    void shouldDrawDelaysWithinTheRange() {
        var backoff = Backoff.of(Duration.ofMillis(100), Duration.ofMillis(800));
        for (int i = 0; i < 50; i++) {
            assertThat(backoff.next().toMillis()).isBetween(50L, 800L);
        }
    }

    @Test
    void shouldRefuseAMaximumBelowTheInitialDelay() {
        assertThatThrownBy(() -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
