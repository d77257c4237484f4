package dev.wasmbind.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ProcessAgeTest {

    /** A real line's shape: the start (field 22) is 512345 ticks after boot. */
    private static final String STAT =
            "4242 (java) S 1 4242 4242 0 -1 4194560 9000 0 0 0 150 30 0 0 20 0 31 0 512345"
                    + " 4000000000 25000 18446744073709551615 1 1 0 0 0 0 0 2 16800975 0 0 0 17 1"
                    + " 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    @Test
    void shouldTakeTheStartFromField22AndTheUptimeFromTheFirstNumber() {
        assertThat(ProcessAge.millis(STAT, "5124.68 9876.54\n")).isEqualTo(1230);
    }

    @Test
    void shouldFindField22AfterACommandNameWithSpacesAndParentheses() {
        String stat = STAT.replace("(java)", "(a (b) c)");

        assertThat(ProcessAge.millis(stat, "5123.46 1.00\n")).isEqualTo(10);
    }

    @Test
    void shouldRefuseLinesOfAnotherShape() {
        assertThatThrownBy(() -> ProcessAge.millis("4242 java S", "1.00 1.00"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessAge.millis(STAT, "5124 9876"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldBeAtLeastTheJvmsUptimeOnLinux() {
        long jvmUptime = ManagementFactory.getRuntimeMXBean().getUptime();

        OptionalLong age = ProcessAge.millis();

        // The process started before the JVM; /proc counts in 10 ms ticks. The upper bound only
        // catches a wrong unit (ticks or seconds read as milliseconds).
        assertThat(age).isPresent();
        assertThat(age.getAsLong()).isBetween(jvmUptime - 20, jvmUptime + 600_000);
    }
}
