package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.wasmbind.sidecar.runtime.CompiledModule.Engine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles each module once per digest with Chicory's compiler (wasm to JVM bytecode). Compiling
 * takes a good fraction of a second on a cold JVM, so it never happens on the request path: either
 * at load time ({@link #compile}) or in the background while the interpreter serves ({@link
 * #interpretNow} then {@link #compileLater}).
 */
public final class ModuleCompiler {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleCompiler.class);

    private final ConcurrentHashMap<String, CompletableFuture<CompiledModule>> byDigest =
            new ConcurrentHashMap<>();

    /** The compiled form of {@code module}, compiled now unless a module of that digest was. */
    public CompiledModule compile(String digest, WasmModule module) {
        return compileLater(digest, module, Runnable::run).join();
    }

    /**
     * Compiles on {@code executor} unless a module of that digest is compiled or compiling; the
     * future fails when Chicory cannot compile it.
     */
    public CompletableFuture<CompiledModule> compileLater(
            String digest, WasmModule module, Executor executor) {
        return byDigest.computeIfAbsent(
                digest, d -> CompletableFuture.supplyAsync(() -> compileNow(d, module), executor));
    }

    /** The module on the interpreter: usable at once, for the time the compiler needs. */
    public static CompiledModule interpretNow(String digest, WasmModule module) {
        return new CompiledModule(digest, module, InterpreterMachine::new, Engine.INTERPRETER);
    }

    private static CompiledModule compileNow(String digest, WasmModule module) {
        long start = System.nanoTime();
        var factory = MachineFactoryCompiler.compile(module);
        LOG.info("compiled module {} in {} ms", digest, (System.nanoTime() - start) / 1_000_000);
        return new CompiledModule(digest, module, factory, Engine.COMPILER);
    }
}
