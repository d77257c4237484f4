package dev.wasmbind.operator.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReconcileWatchdogTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldCallAReconcileRunningPastTheLimitStuckAndForgetItWhenItEnds() {
        ManualClock clock = new ManualClock();
        ReconcileWatchdog watchdog = new ReconcileWatchdog(clock);
        Duration limit = Duration.ofMinutes(10);

        ReconcileWatchdog.Running slow = watchdog.enter();
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        ReconcileWatchdog.Running quick = watchdog.enter();
        quick.close();
        assertThat(watchdog.isStuck(limit)).isFalse();

        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(watchdog.longestRunning()).hasValue(Duration.ofMinutes(11));
        assertThat(watchdog.isStuck(limit)).isTrue();

        slow.close();
        assertThat(watchdog.longestRunning()).isEmpty();
        assertThat(watchdog.isStuck(limit)).isFalse();
    }
}
