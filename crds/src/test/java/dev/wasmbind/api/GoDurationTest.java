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

    @Test
    void shouldTruncateFractionsToWholeNanosecondsPerNumberAsGoDoes() {
        assertThat(GoDuration.parse("1.5ns")).isEqualTo(Duration.ofNanos(1));
        assertThat(GoDuration.parse("0.5ns0.5ns")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("0.0000000001s")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("1.000000001s")).isEqualTo(Duration.ofNanos(1_000_000_001));
        assertThat(GoDuration.parse("0.999999999999999999999999s"))
                .isEqualTo(Duration.ofNanos(999_999_999));
        assertThat(GoDuration.parse("1.333333333333h"))
                .isEqualTo(Duration.ofNanos(4_799_999_999_998L));
        assertThat(GoDuration.parse("2.25m")).isEqualTo(Duration.ofSeconds(135));
        assertThat(GoDuration.parse("1.5µs")).isEqualTo(Duration.ofNanos(1500));
        assertThat(GoDuration.parse("1h0m0.5s")).isEqualTo(Duration.ofMillis(3_600_500));
        assertThat(GoDuration.parse(" 10s ")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldTakeTheLargestDurationGoTakesAndRefuseOneNanosecondMore() {
        assertThat(GoDuration.parse("9223372036854775807ns"))
                .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(GoDuration.parse("2562047h47m16.854775807s"))
                .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(GoDuration.parse("00000000000000000000000001s"))
                .isEqualTo(Duration.ofSeconds(1));
        for (String tooLong :
                new String[] {
                    "9223372036854775808ns",
                    "2562047h47m16.854775808s",
                    "2562048h",
                    "9223372036854775807s",
                    "99999999999999999999ns",
                    "9223372036854775807ns1ns",
                    "2562047.8h"
                }) {
            assertThatThrownBy(() -> GoDuration.parse(tooLong))
                    .as(tooLong)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + tooLong + "' is too long a duration");
        }
    }

    @Test
    void shouldRefuseWhatTheSchemaPatternRefuses() {
        for (String malformed :
                new String[] {
                    "-1s", "+1s", ".5s", "5.s", "1.2.3s", "1s2", "10 s", "1d", "s", "1S", "1sms",
                    "1..5s", "0.", "00"
                }) {
            assertThatThrownBy(() -> GoDuration.parse(malformed))
                    .as(malformed)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration");
        }
    }

    @Test
    void shouldFormatTheLargestDurationSoThatItParsesBack() {
        Duration largest = Duration.ofNanos(Long.MAX_VALUE);
        assertThat(GoDuration.parse(GoDuration.format(largest))).isEqualTo(largest);
        assertThat(GoDuration.format(Duration.ofNanos(1))).isEqualTo("1ns");
        assertThat(GoDuration.format(Duration.ofNanos(1_000))).isEqualTo("1us");
    }
}
