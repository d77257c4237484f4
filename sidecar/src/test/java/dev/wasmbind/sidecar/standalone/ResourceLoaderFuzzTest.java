package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes YAML loading: any file content gives WasmBindings or problems naming the file, never an
 * exception. Runs its seeds in every build; {@code JAZZER_FUZZ=1} fuzzes (see docs/fuzzing.md).
 */
class ResourceLoaderFuzzTest {

    private static Path dir;
    private final ResourceLoader loader = new ResourceLoader();

    @BeforeAll
    static void createFolder() throws IOException {
        dir = Files.createTempDirectory("resource-loader-fuzz");
    }

    @AfterAll
    static void deleteFolder() throws IOException {
        Files.deleteIfExists(dir.resolve("bindings.yaml"));
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "2m")
    void shouldReadAnyYamlIntoBindingsOrProblems(byte[] yaml) throws IOException {
        Path file = Files.write(dir.resolve("bindings.yaml"), yaml);

        List<ResourceLoader.Found> found = loader.loadFile(file);

        for (ResourceLoader.Found f : found) {
            assertThat(f.spec() != null || f.problem() != null)
                    .as("a binding or a problem: %s", f)
                    .isTrue();
        }
    }
}
