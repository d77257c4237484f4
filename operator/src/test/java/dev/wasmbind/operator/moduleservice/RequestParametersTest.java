package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestParametersTest {

    @Test
    void shouldSplitNamesAndDropRepeats() {
        assertThat(ModuleService.names(List.of("a,b", "a, c"))).hasValue(List.of("a", "b", "c"));
        assertThat(ModuleService.names(List.of())).isEmpty();
    }

    @Test
    void shouldRefuseANameKubernetesWouldRefuse() {
        assertThatThrownBy(() -> ModuleService.names(List.of("Hello")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Hello' is not a Kubernetes object name");
    }

    @Test
    void shouldCapTheWaitAtSixtySeconds() {
        assertThat(ModuleService.waitParam(List.of("30s"))).isEqualTo(Duration.ofSeconds(30));
        assertThat(ModuleService.waitParam(List.of("10m"))).isEqualTo(Duration.ofSeconds(60));
        assertThat(ModuleService.waitParam(List.of())).isZero();
        assertThatThrownBy(() -> ModuleService.waitParam(List.of("soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a duration");
    }

    @Test
    void shouldReadQuotedWeakAndBareEtags() {
        assertThat(ModuleService.etag("\"abc\"")).isEqualTo("abc");
        assertThat(ModuleService.etag("W/\"abc\"")).isEqualTo("abc");
        assertThat(ModuleService.etag("abc")).isEqualTo("abc");
        assertThat(ModuleService.etag(null)).isNull();
    }
}
