package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed: whether the module is fetched, valid and ready, and why not. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WasmBindingStatus {

    @PrinterColumn(name = "Phase", priority = 0)
    @JsonPropertyDescription("Pending, Fetching, Ready or Failed.")
    private Phase phase;

    @JsonPropertyDescription(
            "Fetched, Validated and Ready conditions, each with observedGeneration and a"
                    + " lastTransitionTime that moves only when its status changes.")
    private List<WasmBindingCondition> conditions = new ArrayList<>();

    @JsonPropertyDescription("sha256:<hex> digest of the module being served.")
    private String digest;

    @PrinterColumn(name = "Digest", priority = 0)
    @JsonPropertyDescription("The first 12 hex characters of the digest, for display.")
    private String shortDigest;

    @JsonPropertyDescription("Size of the module in bytes.")
    private Long size;

    @JsonPropertyDescription("The module's ABI, e.g. wasip1-command.")
    private String abi;

    @JsonPropertyDescription("When the module was last fetched (RFC 3339).")
    private String lastFetchTime;

    @JsonPropertyDescription("What went wrong, in words, or a short summary when all is well.")
    private String message;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public List<WasmBindingCondition> getConditions() {
        return conditions;
    }

    public void setConditions(List<WasmBindingCondition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public String getShortDigest() {
        return shortDigest;
    }

    public void setShortDigest(String shortDigest) {
        this.shortDigest = shortDigest;
    }

    public Long getSize() {
        return size;
    }

    public void setSize(Long size) {
        this.size = size;
    }

    public String getAbi() {
        return abi;
    }

    public void setAbi(String abi) {
        this.abi = abi;
    }

    public String getLastFetchTime() {
        return lastFetchTime;
    }

    public void setLastFetchTime(String lastFetchTime) {
        this.lastFetchTime = lastFetchTime;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    /** The condition of {@code type}, if there is one. */
    public java.util.Optional<WasmBindingCondition> condition(String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
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
        if (!(o instanceof WasmBindingStatus other)) {
            return false;
        }
        return phase == other.phase
                && java.util.Objects.equals(conditions, other.conditions)
                && java.util.Objects.equals(digest, other.digest)
                && java.util.Objects.equals(shortDigest, other.shortDigest)
                && java.util.Objects.equals(size, other.size)
                && java.util.Objects.equals(abi, other.abi)
                && java.util.Objects.equals(lastFetchTime, other.lastFetchTime)
                && java.util.Objects.equals(message, other.message)
                && java.util.Objects.equals(observedGeneration, other.observedGeneration);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                phase,
                conditions,
                digest,
                shortDigest,
                size,
                abi,
                lastFetchTime,
                message,
                observedGeneration);
    }
}
