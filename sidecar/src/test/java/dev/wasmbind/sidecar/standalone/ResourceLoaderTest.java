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
        assertThat(found.get(0).problem())
                .isEqualTo(
                        "WasmBinding bad in bad.yaml is invalid: limits.maxConcurrency must be an"
                                + " integer, got \"many\"");
        assertThat(found.get(1).spec()).isNotNull();
    }

    @Test
    void shouldReadYamlScalarsAsJacksonDid() throws IOException {
        List<ResourceLoader.Found> found =
                load(
                        "scalars.yaml",
                        """
                        apiVersion: wasmbind.dev/v1alpha1
                        kind: WasmBinding
                        metadata: {name: scalars}
                        spec:
                          url: file://a.wasm
                          sha256: 0123456789012345678901234567890123456789012345678901234567890123
                          strictSandbox: yes
                          rawData: off
                          args: [1, true, 1.50]
                          env: {VERSION: 1.10, EMPTY: ""}
                          limits: {maxConcurrency: "4", maxMemory: 1048576, timeout: 2s}
                          pullSecret: ~
                        """);

        assertThat(found).singleElement().satisfies(f -> assertThat(f.problem()).isNull());
        var spec = found.get(0).spec();
        assertThat(spec.getSha256())
                .isEqualTo("0123456789012345678901234567890123456789012345678901234567890123");
        assertThat(spec.strictSandboxEnabled()).isTrue();
        assertThat(spec.getRawData()).isFalse();
        assertThat(spec.getArgs()).containsExactly("1", "true", "1.50");
        assertThat(spec.getEnv()).containsEntry("VERSION", "1.10").containsEntry("EMPTY", "");
        assertThat(spec.getLimits().maxConcurrencyOrDefault()).isEqualTo(4);
        assertThat(spec.getLimits().maxMemoryPages()).isEqualTo(16);
        assertThat(spec.getPullSecret()).isNull();
    }

    @Test
    void shouldRefuseAnUnknownFieldInsideTheSpec() throws IOException {
        List<ResourceLoader.Found> found =
                load(
                        "typo.yaml",
                        """
                        apiVersion: wasmbind.dev/v1alpha1
                        kind: WasmBinding
                        metadata: {name: typo}
                        spec: {url: file://a.wasm, limits: {timout: 2s}}
                        """);

        assertThat(found.get(0).problem())
                .startsWith(
                        "WasmBinding typo in typo.yaml is invalid: unknown field"
                                + " \"limits.timout\" (known: timeout,");
    }

    @Test
    void shouldReportAFileNestedTooDeeply() throws IOException {
        List<ResourceLoader.Found> found =
                load("deep.yaml", "a: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");

        assertThat(found)
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.problem())
                                        .isEqualTo(
                                                "cannot read deep.yaml: nested deeper than 100"
                                                        + " levels (line 1)"));
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

    private static String component(String type, String metadata) {
        return """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: wasm
                spec:
                  type: %s
                  version: v1
                  metadata:
                %s"""
                .formatted(type, metadata);
    }

    @Test
    void shouldReadADaprWasmComponentResolvingFilesAgainstTheWorkingDirectory() throws IOException {
        List<ResourceLoader.Found> found =
                load(
                        "wasm.yaml",
                        component(
                                "bindings.wasm",
                                """
                                  - name: URL
                                    value: "file://modules/hello.wasm"
                                  - name: strictSandbox
                                    value: "yes"
                                  - name: somethingElse
                                    value: ignored
                                """));

        assertThat(found)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.name()).isEqualTo("wasm");
                            assertThat(f.problem()).isNull();
                            assertThat(f.spec().getUrl()).isEqualTo("file://modules/hello.wasm");
                            assertThat(f.spec().strictSandboxEnabled()).isTrue();
                            assertThat(f.baseDir()).isEqualTo(Path.of("").toAbsolutePath());
                        });
    }

    @Test
    void shouldReadStrictSandboxLikeDaprsTruthyValues() throws IOException {
        for (String value : List.of("true", "True", "1", "on", "y")) {
            String metadata =
                    "  - name: url\n    value: https://example.test/a.wasm\n"
                            + "  - name: strictsandbox\n    value: "
                            + value
                            + "\n";
            assertThat(
                            load("wasm.yaml", component("bindings.wasm", metadata))
                                    .get(0)
                                    .spec()
                                    .strictSandboxEnabled())
                    .as(value)
                    .isTrue();
        }
        String falsy =
                "  - name: url\n    value: file:///a.wasm\n"
                        + "  - name: strictSandbox\n    value: \"enabled\"\n";
        assertThat(
                        load("wasm.yaml", component("bindings.wasm", falsy))
                                .get(0)
                                .spec()
                                .strictSandboxEnabled())
                .isFalse();
    }

    @Test
    void shouldSkipOtherDaprComponentTypes() throws IOException {
        String metadata = "  - name: url\n    value: file:///a.wasm\n";

        assertThat(load("state.yaml", component("state.in-memory", metadata))).isEmpty();
    }

    @Test
    void shouldRefuseBadComponentMetadataWithDaprsMessages() throws IOException {
        assertThat(problemOf("  - name: strictSandbox\n    value: \"true\"\n"))
                .endsWith("wasm: failed to parse metadata: missing url");
        assertThat(problemOf("  - name: url\n    value: hello.wasm\n"))
                .endsWith("wasm: failed to parse metadata: invalid URL: hello.wasm");
        assertThat(problemOf("  - name: url\n    value: ldap://foo/bar.wasm\n"))
                .endsWith("wasm: failed to parse metadata: unsupported URL scheme: ldap");
        assertThat(problemOf("  - name: url\n    value: \"http:// \"\n"))
                .contains("wasm: failed to parse metadata: parse \"http:// \":");
        assertThat(
                        problemOf(
                                "  - name: url\n    value: file:///a.wasm\n"
                                        + "  - name: URL\n    value: file:///b.wasm\n"))
                .endsWith("key url is duplicate in the metadata");
        assertThat(problemOf("  - name: url\n    secretKeyRef: {name: s, key: k}\n"))
                .contains("secretKeyRef");
    }

    private String problemOf(String metadata) throws IOException {
        List<ResourceLoader.Found> found = load("wasm.yaml", component("bindings.wasm", metadata));
        assertThat(found).singleElement().satisfies(f -> assertThat(f.spec()).isNull());
        assertThat(found.get(0).problem())
                .startsWith("Dapr Component wasm (bindings.wasm/v1) in wasm.yaml: ");
        return found.get(0).problem();
    }
}
