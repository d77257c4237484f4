package dev.wasmbind.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.WasmBindingCondition;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123Z");
    private static final Instant T1 = Instant.parse("2026-01-01T10:05:00Z");

    @Test
    void shouldKeepLastTransitionTimeWhileTheStatusStaysTheSame() {
        WasmBindingStatus status = new WasmBindingStatus();
        Conditions.set(status, "Ready", "True", "Ready", "serving a", 1, T0);
        Conditions.set(status, "Ready", "True", "Ready", "serving b", 2, T1);

        WasmBindingCondition ready = status.condition("Ready").orElseThrow();
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
        assertThat(ready.getMessage()).isEqualTo("serving b");
        assertThat(ready.getObservedGeneration()).isEqualTo(2L);
        assertThat(status.getConditions()).hasSize(1);
    }

    @Test
    void shouldMoveLastTransitionTimeWhenTheStatusChanges() {
        WasmBindingStatus status = new WasmBindingStatus();
        Conditions.set(status, "Ready", "True", "Ready", "ok", 1, T0);
        Conditions.set(status, "Ready", "False", "NotFound", "gone", 1, T1);

        WasmBindingCondition ready = status.condition("Ready").orElseThrow();
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T10:05:00Z");
        assertThat(ready.getReason()).isEqualTo("NotFound");
    }
}
