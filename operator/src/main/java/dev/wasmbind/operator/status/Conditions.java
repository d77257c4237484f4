package dev.wasmbind.operator.status;

import dev.wasmbind.api.v1alpha1.WasmBindingCondition;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Sets conditions the Kubernetes way: lastTransitionTime moves only when status changes. */
public final class Conditions {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {}

    public static void set(
            WasmBindingStatus status,
            String type,
            String value,
            String reason,
            String message,
            long observedGeneration,
            Instant now) {
        Optional<WasmBindingCondition> existing = status.condition(type);
        WasmBindingCondition condition = existing.orElseGet(WasmBindingCondition::new);
        if (existing.isEmpty()) {
            condition.setType(type);
            status.getConditions().add(condition);
        }
        if (!value.equals(condition.getStatus()) || condition.getLastTransitionTime() == null) {
            condition.setLastTransitionTime(rfc3339(now));
        }
        condition.setStatus(value);
        condition.setReason(reason);
        condition.setMessage(message);
        condition.setObservedGeneration(observedGeneration);
    }

    /** RFC 3339 in whole seconds, the form Kubernetes writes for its own times. */
    public static String rfc3339(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
