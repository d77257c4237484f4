package dev.wasmbind.sidecar.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.CompiledTestModules;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackgroundCompilationTest {

    private final ModuleCompiler compiler = new ModuleCompiler();
    private final BindingLoader loader =
            BindingLoader.withoutSource(ModuleValidator.create(), compiler);
    private final BindingRegistry registry = new BindingRegistry();
    private final ExecutorService compileThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        compileThread.shutdownNow();
    }

    @Test
    void shouldSwapTheCompiledBindingInForTheInterpretedOne() throws Exception {
        Binding.Ready interpreted = interpreted("cat");
        registry.put(interpreted);

        BackgroundCompilation.swapInWhenCompiled(registry, interpreted, compiler, compileThread)
                .get();

        var now = (Binding.Ready) registry.get("cat").orElseThrow();
        assertThat(now.compiled().engine()).isEqualTo(CompiledModule.Engine.COMPILER);
        assertThat(now.digest()).isEqualTo(interpreted.digest());
        assertThat(now.permits()).isSameAs(interpreted.permits());
    }

    @Test
    void shouldLeaveABindingThatWasReplacedWhileCompiling() throws Exception {
        Binding.Ready interpreted = interpreted("cat");
        registry.put(interpreted);
        Binding.Ready newer = interpreted("cat");
        registry.put(newer);

        BackgroundCompilation.swapInWhenCompiled(registry, interpreted, compiler, compileThread)
                .get();

        assertThat(registry.get("cat")).containsSame(newer);
    }

    private Binding.Ready interpreted(String name) throws Exception {
        byte[] bytes = Files.readAllBytes(CompiledTestModules.DIR.resolve("cat.wasm"));
        var module = new FetchedModule(bytes, Digests.sha256Hex(bytes), "test");
        var ready =
                (Binding.Ready)
                        loader.fromModuleInterpreted(
                                name, new WasmBindingSpec("file://cat.wasm"), module);
        assertThat(ready.compiled().engine()).isEqualTo(CompiledModule.Engine.INTERPRETER);
        return ready;
    }
}
