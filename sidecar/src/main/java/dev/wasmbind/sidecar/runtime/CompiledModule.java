package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * A module ready to instantiate afresh for every call: compiled to JVM bytecode once per digest,
 * or, for the first moments after start, on Chicory's interpreter while it compiles.
 *
 * @param digest {@code sha256:<hex>} of the module bytes
 * @param module the parsed module
 * @param machineFactory the machine every instance runs on, shared by all instances
 * @param engine how it runs
 * @param importedFunctions the names of the functions it imports (all from WASI, as validated)
 */
public record CompiledModule(
        String digest,
        WasmModule module,
        Function<Instance, Machine> machineFactory,
        Engine engine,
        Set<String> importedFunctions) {

    public CompiledModule(
            String digest,
            WasmModule module,
            Function<Instance, Machine> machineFactory,
            Engine engine) {
        this(digest, module, machineFactory, engine, importedFunctions(module));
    }

    private static Set<String> importedFunctions(WasmModule module) {
        ImportSection imports = module.importSection();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < imports.importCount(); i++) {
            Import anImport = imports.getImport(i);
            if (anImport.importType() == ExternalType.FUNCTION) {
                names.add(anImport.name());
            }
        }
        return Set.copyOf(names);
    }

    /** How a module's code runs. */
    public enum Engine {
        /** Chicory's interpreter: no start-up cost, about 15 times slower per call. */
        INTERPRETER,
        /** Chicory's compiler: wasm turned into JVM bytecode once per digest. */
        COMPILER,
        /**
         * Chicory's compiler, with the functions too large for a JVM method left to its
         * interpreter, which the module's machine then holds (and with it state between calls).
         */
        COMPILER_WITH_INTERPRETER
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
