package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.wasmbind.sidecar.runtime.CompiledModule.Engine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
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

    /**
     * Compiles every function, or, when one is too large for a JVM method (Chicory's compiler
     * refuses it with {@link InterpreterFallback#FAIL}), compiles again leaving such functions to
     * Chicory's interpreter: {@link Engine#COMPILER_WITH_INTERPRETER}, said in one warning.
     */
    private static CompiledModule compileNow(String digest, WasmModule module) {
        long start = System.nanoTime();
        Function<Instance, Machine> factory;
        Engine engine = Engine.COMPILER;
        try {
            factory = compile(module, InterpreterFallback.FAIL);
        } catch (RuntimeException tooLarge) {
            try {
                factory = compile(module, InterpreterFallback.SILENT);
            } catch (RuntimeException failed) {
                failed.addSuppressed(tooLarge);
                throw failed;
            }
            engine = Engine.COMPILER_WITH_INTERPRETER;
            LOG.warn(
                    "module {}: a function too large for a JVM method runs on Chicory's"
                            + " interpreter, about 15 times slower, and the module's instances are"
                            + " not reused (the compiler said: {})",
                    digest,
                    tooLarge.getMessage());
        }
        LOG.info("compiled module {} in {} ms", digest, (System.nanoTime() - start) / 1_000_000);
        return new CompiledModule(digest, module, factory, engine);
    }

    private static Function<Instance, Machine> compile(
            WasmModule module, InterpreterFallback fallback) {
        return MachineFactoryCompiler.builder(module).withInterpreterFallback(fallback).compile();
    }
}
