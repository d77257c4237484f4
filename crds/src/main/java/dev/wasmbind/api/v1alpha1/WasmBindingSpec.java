package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What to run: where the module comes from and how each call runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WasmBindingSpec {

    @Required
    @Pattern("^(file://|https?://|oci://)\\S+$")
    @ValidationRule(value = "self.size() <= 2048", message = "url must be at most 2048 characters")
    @PrinterColumn(name = "URL", priority = 0)
    @JsonPropertyDescription(
            "Where the WASI module comes from: file:///abs/path.wasm (standalone, where"
                    + " file://rel/path.wasm is relative to the YAML file, or when the operator"
                    + " allows it), http(s)://host/path.wasm, oci://registry/repo:tag or"
                    + " oci://registry/repo@sha256:<hex> (a CNCF wasm OCI artifact).")
    private String url;

    @Pattern("^[a-f0-9]{64}$")
    @JsonPropertyDescription(
            "Optional pin: the lowercase hex SHA-256 of the module. Content with another digest"
                    + " is refused.")
    private String sha256;

    @JsonPropertyDescription(
            "Dapr's strictSandbox: the guest sees a fake wall clock and monotonic clock that"
                    + " advance 1ms per read, sleeps return at once and random bytes are"
                    + " deterministic.")
    private Boolean strictSandbox;

    @JsonPropertyDescription(
            "Write a JSON string request's contents to STDIN raw instead of JSON-encoded (Dapr"
                    + " passes \"data\":\"x\" to the guest as \"x\" with its quotes).")
    private Boolean rawData;

    @ValidationRule(value = "self.size() <= 256", message = "at most 256 args")
    @JsonPropertyDescription(
            "Default arguments placed after the program name and before the per-request"
                    + " metadata.args.")
    private List<String> args = new ArrayList<>();

    @ValidationRule(value = "self.size() <= 256", message = "at most 256 env entries")
    @JsonPropertyDescription("Environment variables passed to the guest.")
    private Map<String, String> env = new LinkedHashMap<>();

    @JsonPropertyDescription("Resource and time limits applied to every call.")
    private Limits limits;

    @JsonPropertyDescription(
            "Outbound HTTP from the guest through Dapr's wasi-http host ABI; unset: none.")
    private Outbound outbound;

    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
    @JsonPropertyDescription(
            "Name of a Secret in the same namespace holding registry credentials"
                    + " (kubernetes.io/dockerconfigjson) or HTTP credentials (basic-auth"
                    + " username/password or a bearer token).")
    private String pullSecret;

    @Pattern(Limits.DURATION_PATTERN)
    @JsonPropertyDescription(
            "How often to re-fetch a mutable source (tag or URL), as a duration such as 5m or"
                    + " 1h30m. Unset: fetch once per spec change.")
    private String refreshInterval;

    public WasmBindingSpec() {}

    public WasmBindingSpec(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getSha256() {
        return sha256;
    }

    public void setSha256(String sha256) {
        this.sha256 = sha256;
    }

    public Boolean getStrictSandbox() {
        return strictSandbox;
    }

    public void setStrictSandbox(Boolean strictSandbox) {
        this.strictSandbox = strictSandbox;
    }

    public boolean strictSandboxEnabled() {
        return Boolean.TRUE.equals(strictSandbox);
    }

    public Boolean getRawData() {
        return rawData;
    }

    public void setRawData(Boolean rawData) {
        this.rawData = rawData;
    }

    public boolean rawDataEnabled() {
        return Boolean.TRUE.equals(rawData);
    }

    public List<String> getArgs() {
        return args;
    }

    public void setArgs(List<String> args) {
        this.args = args == null ? new ArrayList<>() : args;
    }

    public Map<String, String> getEnv() {
        return env;
    }

    public void setEnv(Map<String, String> env) {
        this.env = env == null ? new LinkedHashMap<>() : env;
    }

    public Limits getLimits() {
        return limits;
    }

    public void setLimits(Limits limits) {
        this.limits = limits;
    }

    /** The limits, with defaults when none are given. */
    public Limits limitsOrDefaults() {
        return limits == null ? new Limits() : limits;
    }

    public Outbound getOutbound() {
        return outbound;
    }

    public void setOutbound(Outbound outbound) {
        this.outbound = outbound;
    }

    /** The hosts the guest may call over HTTP; empty when none. */
    public List<String> allowedHostsOrEmpty() {
        return outbound == null ? List.of() : List.copyOf(outbound.getAllowedHosts());
    }

    public String getPullSecret() {
        return pullSecret;
    }

    public void setPullSecret(String pullSecret) {
        this.pullSecret = pullSecret;
    }

    public String getRefreshInterval() {
        return refreshInterval;
    }

    public void setRefreshInterval(String refreshInterval) {
        this.refreshInterval = refreshInterval;
    }
}
