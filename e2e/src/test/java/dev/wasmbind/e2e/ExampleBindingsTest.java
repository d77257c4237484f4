package dev.wasmbind.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example is a WasmBinding users can apply as it is: the API types read all of it. */
class ExampleBindingsTest {

    static Stream<Path> examples() throws IOException {
        Path dir = ProjectFiles.ofBuild().exampleBindings();
        try (Stream<Path> files = Files.list(dir)) {
            return files
                    .filter(path -> path.toString().endsWith(".yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void shouldBeAWasmBindingNamedLikeItsFile(Path yaml) throws IOException {
        WasmBinding binding = Serialization.unmarshal(Files.readString(yaml), WasmBinding.class);
        String name = yaml.getFileName().toString().replace(".yaml", "");

        assertThat(binding.getApiVersion()).isEqualTo(WasmBinding.API_VERSION);
        assertThat(binding.getKind()).isEqualTo("WasmBinding");
        assertThat(binding.getMetadata().getName()).isEqualTo(name);
        assertThat(binding.getSpec().getUrl()).isEqualTo("file://modules/" + name + ".wasm");
        assertThat(binding.getSpec().getSha256()).matches("[a-f0-9]{64}");
        // limits parse as the runtime reads them (Go durations, Kubernetes quantities)
        Limits limits = binding.getSpec().limitsOrDefaults();
        assertThat(limits.timeoutOrDefault()).isPositive();
        assertThat(limits.maxMemoryPages()).isPositive();
    }
}
