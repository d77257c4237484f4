package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.source.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModulesDirTest {

    private static final byte[] MODULE =
            Files.exists(Path.of("src/test/resources/wasm/cat.wasm"))
                    ? read("src/test/resources/wasm/cat.wasm")
                    : new byte[0];
    private static final String HEX = Digests.sha256Hex(MODULE);

    @TempDir Path root;

    private static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldStoreAModuleUnderItsDigestAndReadItBack() throws Exception {
        ModulesDir dir = ModulesDir.open(root);

        dir.write(HEX, MODULE);

        assertThat(root.resolve("sha256/" + HEX + ".wasm")).hasBinaryContent(MODULE);
        assertThat(dir.read("sha256:" + HEX))
                .get()
                .satisfies(
                        m -> {
                            assertThat(m.bytes()).isEqualTo(MODULE);
                            assertThat(m.sha256()).isEqualTo(HEX);
                        });
        try (Stream<Path> files = Files.list(root.resolve("sha256"))) {
            assertThat(files).as("no temporary file is left").hasSize(1);
        }
    }

    @Test
    void shouldRefuseBytesThatAreNotWhatTheDigestNames() throws Exception {
        ModulesDir dir = ModulesDir.open(root);
        String other = Digests.sha256Hex("other".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> dir.write(other, MODULE))
                .isInstanceOf(ModulesDir.DigestMismatchException.class)
                .hasMessage("content has sha256:" + HEX + ", not the expected sha256:" + other);
        assertThat(root.resolve("sha256/" + other + ".wasm")).doesNotExist();
    }

    @Test
    void shouldDeleteAndReportAbsentAFileThatWasTamperedWith() throws Exception {
        ModulesDir dir = ModulesDir.open(root);
        dir.write(HEX, MODULE);
        Path file = root.resolve("sha256/" + HEX + ".wasm");
        Files.write(file, new byte[] {0, 'a', 's', 'm'});

        assertThat(dir.read(HEX)).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void shouldReportAMissingModuleAndViewAsAbsent() throws Exception {
        ModulesDir dir = ModulesDir.open(root);

        assertThat(dir.read(HEX)).isEmpty();
        assertThat(dir.readView()).isEmpty();
    }

    @Test
    void shouldReplaceTheViewWhole() throws Exception {
        ModulesDir dir = ModulesDir.open(root);
        dir.writeView("{\"revision\":\"1\"}".getBytes(StandardCharsets.UTF_8));

        dir.writeView("{\"revision\":\"2\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(dir.readView().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("{\"revision\":\"2\"}");
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("sha256", "bindings.json");
        }
    }

    @Test
    void shouldDeleteTheModulesNoBindingUses() throws Exception {
        ModulesDir dir = ModulesDir.open(root);
        byte[] other = "not really wasm".getBytes(StandardCharsets.UTF_8);
        String otherHex = Digests.sha256Hex(other);
        dir.write(HEX, MODULE);
        dir.write(otherHex, other);
        Files.writeString(root.resolve("sha256/.tmp-1.part"), "left by a crash");

        dir.retainOnly(Set.of(HEX));

        try (Stream<Path> files = Files.list(root.resolve("sha256"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(HEX + ".wasm");
        }
    }
}
