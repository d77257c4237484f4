package dev.wasmbind.sidecar.binding;

import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interpret first, compile in the background: a binding serves at once on the interpreter and is
 * swapped for its compiled form when the compiler is done (both sidecar modes start this way).
 */
public final class BackgroundCompilation {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundCompilation.class);

    private BackgroundCompilation() {}

    /**
     * Compiles {@code ready}'s module on {@code executor} and swaps the compiled binding in, unless
     * the binding was replaced meanwhile; calls already running finish on the interpreter. A module
     * Chicory cannot compile stays on the interpreter (logged). Nothing happens to a binding that
     * is already compiled.
     *
     * @return completes when the binding runs compiled, stays interpreted or was replaced
     */
    public static CompletableFuture<Void> swapInWhenCompiled(
            BindingRegistry registry,
            Binding.Ready ready,
            ModuleCompiler compiler,
            Executor executor) {
        if (ready.compiled().engine() != CompiledModule.Engine.INTERPRETER) {
            return CompletableFuture.completedFuture(null);
        }
        return compiler.compileLater(ready.digest(), ready.compiled().module(), executor)
                .handle(
                        (compiled, error) -> {
                            if (error != null) {
                                LOG.error(
                                        "binding {} stays on the interpreter: compiling failed: {}",
                                        ready.name(),
                                        error.toString());
                            } else if (registry.replace(ready, ready.withModule(compiled))) {
                                LOG.info("binding {} now runs compiled", ready.name());
                            }
                            return null;
                        });
    }
}
