package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A WASI program served behind Dapr's output-binding API under {@code metadata.name}. */
@Group(WasmBinding.GROUP)
@Version(WasmBinding.VERSION)
@Kind("WasmBinding")
@Singular("wasmbinding")
@Plural("wasmbindings")
@ShortNames("wb")
public class WasmBinding extends CustomResource<WasmBindingSpec, WasmBindingStatus>
        implements Namespaced {

    public static final String GROUP = "wasmbind.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    public WasmBinding() {}

    public WasmBinding(String name, WasmBindingSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }

    // Overridden only to give kubectl explain a description of spec and status.
    @Override
    @JsonPropertyDescription(
            "What to run: where the WASI module comes from and how each call runs.")
    public WasmBindingSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription(
            "What the operator observed: whether the module is fetched, valid and ready, and"
                    + " why not.")
    public WasmBindingStatus getStatus() {
        return super.getStatus();
    }
}
