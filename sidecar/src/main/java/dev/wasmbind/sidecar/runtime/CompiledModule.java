package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/**
 * A module ready to instantiate afresh for every call: compiled to JVM bytecode once per digest,
 * or, for the first moments after start, on Chicory's interpreter while it compiles.
 *
 * @param digest {@code sha256:<hex>} of the module bytes
 * @param module the parsed module
 * @param machineFactory the machine every instance runs on, shared by all instances
 * @param engine how it runs
 */
public record CompiledModule(
        String digest,
        WasmModule module,
        Function<Instance, Machine> machineFactory,
        Engine engine) {

    /** How a module's code runs. */
    public enum Engine {
        /** Chicory's interpreter: no start-up cost, about 15 times slower per call. */
        INTERPRETER,
        /** Chicory's compiler: wasm turned into JVM bytecode once per digest. */
        COMPILER
    }

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
