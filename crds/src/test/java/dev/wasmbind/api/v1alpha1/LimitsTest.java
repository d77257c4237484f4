package dev.wasmbind.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void shouldApplyTheDefaultsWhenNothingIsSet() {
        Limits limits = new Limits();

        assertThat(limits.timeoutOrDefault()).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.maxMemoryPages()).isEqualTo(1024);
        assertThat(limits.maxRequestBytesOrDefault()).isEqualTo(4L * 1024 * 1024);
        assertThat(limits.maxResponseBytesOrDefault()).isEqualTo(4L * 1024 * 1024);
        assertThat(limits.maxConcurrencyOrDefault()).isEqualTo(16);
    }

    @Test
    void shouldReadDurationsAndQuantitiesAsKubernetesUsersWriteThem() {
        Limits limits = new Limits();
        limits.setTimeout("1m30s");
        limits.setMaxMemory("1Mi");
        limits.setMaxConcurrency(3);

        assertThat(limits.timeoutOrDefault()).isEqualTo(Duration.ofSeconds(90));
        assertThat(limits.maxMemoryPages()).isEqualTo(16);
        assertThat(limits.maxConcurrencyOrDefault()).isEqualTo(3);
    }

    @Test
    void shouldRefuseLimitsNoCallCouldMeet() {
        Limits zeroTimeout = new Limits();
        zeroTimeout.setTimeout("0s");
        Limits noConcurrency = new Limits();
        noConcurrency.setMaxConcurrency(0);
        Limits tinyMemory = new Limits();
        tinyMemory.setMaxMemory("1Ki");

        assertThatThrownBy(zeroTimeout::timeoutOrDefault)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.timeout must be positive");
        assertThatThrownBy(noConcurrency::maxConcurrencyOrDefault)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.maxConcurrency must be at least 1");
        assertThatThrownBy(tinyMemory::maxMemoryPages)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smaller than one 64Ki wasm page");
    }

    @Test
    void shouldNameTheFieldOfASizeItCannotUse() {
        Limits limits = new Limits();
        limits.setMaxMemory("lots");
        limits.setMaxRequestBytes("-1Mi");
        limits.setMaxResponseBytes("1.1Ki");

        assertThatThrownBy(limits::maxMemoryPages)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits.maxMemory is not a quantity such as 64Mi: \"lots\"");
        assertThatThrownBy(limits::maxRequestBytesOrDefault)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits.maxRequestBytes is negative: -1Mi");
        assertThatThrownBy(limits::maxResponseBytesOrDefault)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits.maxResponseBytes is not a whole number of bytes: 1.1Ki");
    }
}
