package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/**
 * One condition of a WasmBinding (Kubernetes' standard condition shape). Our own class rather than
 * fabric8's {@code Condition} so that every field carries a description for {@code kubectl
 * explain}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WasmBindingCondition {

    public static final String FETCHED = "Fetched";
    public static final String VALIDATED = "Validated";
    public static final String READY = "Ready";

    @Required
    @JsonPropertyDescription("Fetched, Validated or Ready.")
    private String type;

    @Required
    @Pattern("^(True|False|Unknown)$")
    @JsonPropertyDescription("True, False or Unknown.")
    private String status;

    @JsonPropertyDescription(
            "A CamelCase word for the cause, e.g. Fetched, NotFound, DigestMismatch, Component.")
    private String reason;

    @JsonPropertyDescription("The cause in words.")
    private String message;

    @JsonPropertyDescription(
            "When status last changed (RFC 3339); a reconcile that finds the same status leaves it"
                    + " alone.")
    private String lastTransitionTime;

    @JsonPropertyDescription("The metadata.generation this condition was computed from.")
    private Long observedGeneration;

    public WasmBindingCondition() {}

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getLastTransitionTime() {
        return lastTransitionTime;
    }

    public void setLastTransitionTime(String lastTransitionTime) {
        this.lastTransitionTime = lastTransitionTime;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WasmBindingCondition other)) {
            return false;
        }
        return Objects.equals(type, other.type)
                && Objects.equals(status, other.status)
                && Objects.equals(reason, other.reason)
                && Objects.equals(message, other.message)
                && Objects.equals(lastTransitionTime, other.lastTransitionTime)
                && Objects.equals(observedGeneration, other.observedGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, status, reason, message, lastTransitionTime, observedGeneration);
    }

    @Override
    public String toString() {
        return type + "=" + status + " (" + reason + ": " + message + ")";
    }
}
