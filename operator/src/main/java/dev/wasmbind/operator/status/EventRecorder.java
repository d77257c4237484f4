package dev.wasmbind.operator.status;

import dev.wasmbind.api.v1alpha1.WasmBinding;

/** Records Kubernetes Events about a binding (what {@code kubectl describe wb} lists). */
public interface EventRecorder {

    String NORMAL = "Normal";
    String WARNING = "Warning";

    void record(WasmBinding binding, String type, String reason, String message);
}
