package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceLoaderTest {

    @TempDir Path dir;

    private List<ResourceLoader.Found> load(String file, String yaml) throws IOException {
        Files.writeString(dir.resolve(file), yaml);
        return new ResourceLoader().load(dir);
    }

    @Test
    void shouldReadEveryWasmBindingOfAMultiDocumentFileAndSkipOtherKinds() throws IOException {
        String yaml =
                """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: not-mine
                ---
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata:
                  name: first
                spec:
                  url: file://a.wasm
                  args: ["-x"]
                  limits:
                    timeout: 2s
                    maxMemory: 16Mi
                ---
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata:
                  name: second
                spec:
                  url: https://example.test/b.wasm
                  strictSandbox: true
                """;

        List<ResourceLoader.Found> found = load("all.yaml", yaml);

        assertThat(found).extracting(ResourceLoader.Found::name).containsExactly("first", "second");
        var first = found.get(0).spec();
        assertThat(first.getArgs()).containsExactly("-x");
        assertThat(first.getLimits().maxMemoryPages()).isEqualTo(256);
        assertThat(found.get(1).spec().strictSandboxEnabled()).isTrue();
        assertThat(found.get(0).baseDir()).isEqualTo(dir.toAbsolutePath());
    }

    @Test
    void shouldReportAnInvalidWasmBindingByNameWithoutStoppingTheOthers() throws IOException {
        Files.writeString(
                dir.resolve("good.yml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: good}
                spec: {url: file://a.wasm}
                """);

        List<ResourceLoader.Found> found =
                load(
                        "bad.yaml",
                        """
                        apiVersion: wasmbind.dev/v1alpha1
                        kind: WasmBinding
                        metadata: {name: bad}
                        spec: {url: file://a.wasm, limits: {maxConcurrency: many}}
                        """);

        assertThat(found).extracting(ResourceLoader.Found::name).containsExactly("bad", "good");
        assertThat(found.get(0).spec()).isNull();
        assertThat(found.get(0).problem()).startsWith("WasmBinding bad in bad.yaml is invalid:");
        assertThat(found.get(1).spec()).isNotNull();
    }

    @Test
    void shouldReportAMisspelledTopLevelFieldAndAMissingSpec() throws IOException {
        List<ResourceLoader.Found> found =
                load(
                        "typo.yaml",
                        """
                        apiVersion: wasmbind.dev/v1alpha1
                        kind: WasmBinding
                        metadata: {name: typo}
                        sepc: {url: file://a.wasm}
                        ---
                        apiVersion: wasmbind.dev/v1alpha1
                        kind: WasmBinding
                        metadata: {name: empty}
                        """);

        assertThat(found).extracting(ResourceLoader.Found::spec).containsOnlyNulls();
        assertThat(found)
                .extracting(ResourceLoader.Found::problem)
                .containsExactly(
                        "WasmBinding typo in typo.yaml is invalid: unknown field \"sepc\"",
                        "WasmBinding empty in typo.yaml is invalid: spec is missing");
    }

    @Test
    void shouldReportAnotherApiVersion() throws IOException {
        List<ResourceLoader.Found> found =
                load(
                        "old.yaml",
                        """
                        apiVersion: wasmbind.dev/v0
                        kind: WasmBinding
                        metadata: {name: old}
                        spec: {url: file://a.wasm}
                        """);

        assertThat(found.get(0).problem()).contains("has apiVersion 'wasmbind.dev/v0'");
    }

    @Test
    void shouldReportAFileThatIsNotYaml() throws IOException {
        List<ResourceLoader.Found> found = load("broken.yaml", "kind: [unclosed\n");

        assertThat(found)
                .singleElement()
                .satisfies(f -> assertThat(f.problem()).startsWith("cannot read broken.yaml"));
    }

    @Test
    void shouldIgnoreFilesThatAreNotYaml() throws IOException {
        assertThat(load("notes.txt", "kind: WasmBinding")).isEmpty();
    }

    @Test
    void shouldRefuseAFolderThatDoesNotExist() {
        assertThatThrownBy(() -> new ResourceLoader().load(dir.resolve("missing")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is not a folder");
    }
}
