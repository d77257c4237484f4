package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/**
 * A module compiled to JVM bytecode once, instantiated afresh for every call.
 *
 * @param digest {@code sha256:<hex>} of the module bytes
 * @param module the parsed module
 * @param machineFactory Chicory's compiled machine, shared by all instances
 */
public record CompiledModule(
        String digest, WasmModule module, Function<Instance, Machine> machineFactory) {

    /** Pages the module's memory starts with (it cannot run under a smaller cap). */
    public int initialPages() {
        return module.memorySection()
                .filter(section -> section.memoryCount() > 0)
                .map(section -> section.getMemory(0).limits().initialPages())
                .orElse(0);
    }

    /** The module's own declared maximum, {@code 65536} when it declares none. */
    public int declaredMaximumPages() {
        return module.memorySection()
                .filter(section -> section.memoryCount() > 0)
                .map(section -> section.getMemory(0).limits().maximumPages())
                .orElse(65536);
    }
}
