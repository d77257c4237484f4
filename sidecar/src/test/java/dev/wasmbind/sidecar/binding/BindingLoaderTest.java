package dev.wasmbind.sidecar.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleSources;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.runtime.CompiledTestModules;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindingLoaderTest {

    private static final BindingLoader LOADER =
            new BindingLoader(
                    ModuleSources.fetcher(FetchPolicy.standalone(CompiledTestModules.DIR)),
                    ModuleValidator.create(),
                    new ModuleCompiler());

    @Test
    void shouldLoadABindingWithItsSettings() throws Exception {
        WasmBindingSpec spec = new WasmBindingSpec("file://cat.wasm");
        spec.setArgs(List.of("--x"));
        spec.setEnv(Map.of("K", "V"));
        spec.setRawData(true);
        var limits = new Limits();
        limits.setTimeout("1m30s");
        limits.setMaxConcurrency(3);
        limits.setMaxRequestBytes("1Ki");
        spec.setLimits(limits);

        Binding loaded = LOADER.load("echo", spec);

        assertThat(loaded).isInstanceOf(Binding.Ready.class);
        var ready = (Binding.Ready) loaded;
        byte[] bytes = Files.readAllBytes(CompiledTestModules.DIR.resolve("cat.wasm"));
        assertThat(ready.digest()).isEqualTo("sha256:" + Digests.sha256Hex(bytes));
        assertThat(ready.settings().argv(List.of("y"))).containsExactly("cat", "--x", "y");
        assertThat(ready.settings().env()).containsEntry("K", "V");
        assertThat(ready.timeout()).hasSeconds(90);
        assertThat(ready.maxConcurrency()).isEqualTo(3);
        assertThat(ready.permits().availablePermits()).isEqualTo(3);
        assertThat(ready.maxRequestBytes()).isEqualTo(1024);
        assertThat(ready.rawData()).isTrue();
    }

    @Test
    void shouldFailWithTheReasonWhenTheModuleIsMissing() {
        Binding loaded = LOADER.load("gone", new WasmBindingSpec("file://nothing-here.wasm"));

        assertThat(loaded).isInstanceOf(Binding.Failed.class);
        assertThat(((Binding.Failed) loaded).reason()).contains("nothing-here.wasm does not exist");
    }

    @Test
    void shouldFailWhenTheContentDoesNotMatchTheSha256Pin() {
        WasmBindingSpec spec = new WasmBindingSpec("file://cat.wasm");
        spec.setSha256("0".repeat(64));

        Binding loaded = LOADER.load("pinned", spec);

        assertThat(((Binding.Failed) loaded).reason()).contains("but spec.sha256 pins");
    }

    @Test
    void shouldFailForAModuleThatIsNotACommand() {
        Binding loaded = LOADER.load("lib", new WasmBindingSpec("file://reactor.wasm"));

        assertThat(((Binding.Failed) loaded).reason()).contains("does not export function _start");
    }

    @Test
    void shouldFailForAModuleWithImportsTheRuntimeLacks() {
        Binding loaded = LOADER.load("foreign", new WasmBindingSpec("file://unknown-import.wasm"));

        assertThat(((Binding.Failed) loaded).reason())
                .contains("module imports what the runtime does not provide");
    }

    @Test
    void shouldFailWhenTheModuleCannotStartUnderMaxMemory() {
        WasmBindingSpec spec = new WasmBindingSpec("file://cat.wasm");
        var limits = new Limits();
        limits.setMaxMemory("64Ki");
        spec.setLimits(limits);

        Binding loaded = LOADER.load("tiny", spec);

        assertThat(((Binding.Failed) loaded).reason())
                .startsWith("invalid spec: module needs")
                .contains("more than limits.maxMemory allows (1 pages)");
    }

    @Test
    void shouldFailForAMalformedTimeout() {
        WasmBindingSpec spec = new WasmBindingSpec("file://cat.wasm");
        var limits = new Limits();
        limits.setTimeout("soon");
        spec.setLimits(limits);

        Binding loaded = LOADER.load("bad-timeout", spec);

        assertThat(((Binding.Failed) loaded).reason()).startsWith("invalid spec:");
    }

    @Test
    void shouldFailForAnUnsupportedScheme() {
        Binding loaded = LOADER.load("ftp", new WasmBindingSpec("ftp://host/x.wasm"));

        assertThat(((Binding.Failed) loaded).reason()).contains("is not supported here");
    }

    @ParameterizedTest
    @CsvSource({
        "file:///abs/path/hello.wasm, hello",
        "file://rel/uppercase.wasm, uppercase",
        "file://echo.wasm, echo",
        "https://example.test/m/tool.wasm?v=1, tool",
        "oci://registry.test/team/tool:1.0, tool",
        "oci://registry.test/tool@sha256:abc, tool",
    })
    void shouldNameTheProgramAfterTheModuleFile(String url, String programName) {
        assertThat(BindingLoader.programName(URI.create(url))).isEqualTo(programName);
    }

    @Test
    void shouldBuildABindingFromVerifiedBytesWithoutFetchingTheUrl() throws Exception {
        byte[] bytes = Files.readAllBytes(CompiledTestModules.DIR.resolve("cat.wasm"));
        var module =
                new dev.wasmbind.module.source.FetchedModule(
                        bytes, Digests.sha256Hex(bytes), "modules dir");
        WasmBindingSpec spec = new WasmBindingSpec("oci://registry.example/wasm/greeter:1.0");
        spec.setArgs(List.of("--x"));
        var loader = BindingLoader.withoutSource(ModuleValidator.create(), new ModuleCompiler());

        Binding loaded = loader.fromModuleInterpreted("greet", spec, module);

        var ready = (Binding.Ready) loaded;
        assertThat(ready.digest()).isEqualTo(module.digest());
        assertThat(ready.settings().argv(List.of())).containsExactly("greeter", "--x");
        assertThat(((Binding.Failed) loader.load("greet", spec)).reason())
                .contains("this loader has no module source");
    }
}
