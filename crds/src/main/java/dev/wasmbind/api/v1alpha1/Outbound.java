package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Outbound HTTP from the guest (the wasi-http host ABI Dapr's wasm binding offers). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Outbound {

    @ValidationRule(value = "self.size() <= 64", message = "at most 64 allowedHosts")
    @JsonPropertyDescription(
            "Hosts the guest may call over HTTP(S): a host name or IP (any port), host:port,"
                    + " or *.example.com for its subdomains. Empty or unset: no outbound access."
                    + " Refused in strictSandbox mode; cloud metadata and link-local addresses"
                    + " stay refused whatever is listed.")
    private List<String> allowedHosts = new ArrayList<>();

    public List<String> getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts == null ? new ArrayList<>() : allowedHosts;
    }
}
