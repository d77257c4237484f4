package dev.wasmbind.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.KubeQuantity;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CRD's patterns accept what the Java side parses and refuse what it cannot. */
class SchemaPatternsTest {

    private static final Pattern QUANTITY = Pattern.compile(Limits.QUANTITY_PATTERN);
    private static final Pattern DURATION = Pattern.compile(Limits.DURATION_PATTERN);

    @ParameterizedTest
    @ValueSource(strings = {"64Mi", "4Mi", "1Gi", "512k", "1e6", "65536", "0.5Gi"})
    void shouldAcceptKubernetesQuantities(String text) {
        assertThat(QUANTITY.matcher(text).matches()).isTrue();
        assertThat(KubeQuantity.bytes(text)).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1Mi", "64MB", "lots", "", "1 Mi"})
    void shouldRefuseWhatIsNotAPositiveQuantity(String text) {
        assertThat(QUANTITY.matcher(text).matches()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "10s", "1m30s", "1.5h", "250us"})
    void shouldAcceptGoDurations(String text) {
        assertThat(DURATION.matcher(text).matches()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "PT10S", "-5s", "10 s", "1d"})
    void shouldRefuseWhatIsNotAGoDuration(String text) {
        assertThat(DURATION.matcher(text).matches()).isFalse();
    }

    @Test
    void shouldCompareStatusesByValueSoUnchangedStatusIsNotPatched() {
        WasmBindingStatus a = new WasmBindingStatus();
        WasmBindingStatus b = new WasmBindingStatus();
        a.setPhase(Phase.Ready);
        b.setPhase(Phase.Ready);
        WasmBindingCondition ready = new WasmBindingCondition();
        ready.setType(WasmBindingCondition.READY);
        ready.setStatus("True");
        a.getConditions().add(ready);
        assertThat(a).isNotEqualTo(b);
        b.getConditions().add(ready);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.condition(WasmBindingCondition.READY)).contains(ready);
    }
}
