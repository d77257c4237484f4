package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.runtime.CompiledModule.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which engine a compiled module gets, and what that means for reusing its instances. */
class ModuleCompilerTest {

    private static final GuestRunner RUNNER = new GuestRunner();

    @Test
    void shouldCompileEveryFunctionOfAnOrdinaryModule() {
        CompiledModule compiled = RunawayGuests.compiled(RunawayGuests.brIfLoop());

        assertThat(compiled.engine()).isEqualTo(Engine.COMPILER);
        assertThat(RunSettings.builder("loop").build().template(compiled).instances()).isNotNull();
    }

    @Test
    void shouldLeaveAFunctionTooLargeForTheJvmToTheInterpreterAndNotReuseItsInstances()
            throws Exception {
        // ~30,000 fillers and a loop that ends at once: too large for one JVM method.
        CompiledModule compiled = RunawayGuests.compiled(RunawayGuests.hugeFunction(30_000, 0));

        assertThat(compiled.engine()).isEqualTo(Engine.COMPILER_WITH_INTERPRETER);
        RunSettings settings = RunSettings.builder("huge").build();
        assertThat(settings.template(compiled).instances()).isNull();
        // It still runs, on the interpreter.
        assertThat(RUNNER.run(compiled, settings, new byte[0], List.of())).isEmpty();
    }
}
