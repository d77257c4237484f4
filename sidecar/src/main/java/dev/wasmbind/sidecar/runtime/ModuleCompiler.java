package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles each module once per digest with Chicory's compiler (wasm to JVM bytecode). Compiling
 * takes a good fraction of a second, so it happens at load time, never on the request path.
 */
public final class ModuleCompiler {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleCompiler.class);

    private final ConcurrentHashMap<String, CompiledModule> byDigest = new ConcurrentHashMap<>();

    /** The compiled form of {@code module}, compiled now unless a module of that digest was. */
    public CompiledModule compile(String digest, WasmModule module) {
        return byDigest.computeIfAbsent(
                digest,
                d -> {
                    long start = System.nanoTime();
                    var factory = MachineFactoryCompiler.compile(module);
                    LOG.info(
                            "compiled module {} in {} ms",
                            d,
                            (System.nanoTime() - start) / 1_000_000);
                    return new CompiledModule(d, module, factory);
                });
    }

    /** Forgets digests no binding uses any more (after a hot swap). */
    public void retainOnly(Set<String> digests) {
        byDigest.keySet().retainAll(digests);
    }

    public int size() {
        return byDigest.size();
    }
}
