package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;

/** WasmBindings as the informer would hand them over, for the unit tests. */
final class Bindings {

    private Bindings() {}

    static WasmBinding ready(String namespace, String name, String hex, long size) {
        WasmBinding binding = pending(namespace, name);
        WasmBindingStatus status = new WasmBindingStatus();
        status.setPhase(Phase.Ready);
        status.setDigest("sha256:" + hex);
        status.setSize(size);
        status.setObservedGeneration(1L);
        status.setMessage("serving sha256:" + hex + " (" + size + " bytes)");
        binding.setStatus(status);
        return binding;
    }

    static WasmBinding failed(String namespace, String name, String message) {
        WasmBinding binding = pending(namespace, name);
        WasmBindingStatus status = new WasmBindingStatus();
        status.setPhase(Phase.Failed);
        status.setObservedGeneration(1L);
        status.setMessage(message);
        binding.setStatus(status);
        return binding;
    }

    static WasmBinding pending(String namespace, String name) {
        WasmBindingSpec spec = new WasmBindingSpec("https://modules.example/" + name + ".wasm");
        spec.getArgs().add("-e");
        spec.getEnv().put("GREETING", "hello");
        spec.setStrictSandbox(true);
        WasmBinding binding = new WasmBinding(name, spec);
        binding.getMetadata().setNamespace(namespace);
        binding.getMetadata().setGeneration(1L);
        return binding;
    }
}
