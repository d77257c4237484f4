package dev.wasmbind.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void shouldParseSingleAndCompoundDurations() {
        assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDuration.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldRejectMalformedDurationsWithTheReason() {
        assertThatThrownBy(() -> GoDuration.parse("10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'10' is not a duration");
        assertThatThrownBy(() -> GoDuration.parse("PT10S"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDuration.parse("10s garbage"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDuration.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldFormatInTheLargestExactUnitSoThatItParsesBack() {
        assertThat(GoDuration.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(GoDuration.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(GoDuration.format(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDuration.parse(GoDuration.format(Duration.ofNanos(1500))))
                .isEqualTo(Duration.ofNanos(1500));
    }
}
