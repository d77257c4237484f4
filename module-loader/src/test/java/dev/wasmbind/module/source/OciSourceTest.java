package dev.wasmbind.module.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OciSourceTest {

    @Test
    void shouldTreatOnlyLoopbackHostsAsLoopback() {
        assertThat(OciSource.isLoopback("localhost:5000")).isTrue();
        assertThat(OciSource.isLoopback("127.0.0.1:5000")).isTrue();
        assertThat(OciSource.isLoopback("127.1.2.3")).isTrue();
        assertThat(OciSource.isLoopback("[::1]:5000")).isTrue();
        assertThat(OciSource.isLoopback("registry.example:5000")).isFalse();
        assertThat(OciSource.isLoopback("10.0.0.1:5000")).isFalse();
        assertThat(OciSource.isLoopback("localhost.example")).isFalse();
        assertThat(OciSource.isLoopback("[fd00::1]:443")).isFalse();
    }
}
