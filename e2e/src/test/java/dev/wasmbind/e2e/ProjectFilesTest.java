package dev.wasmbind.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectFilesTest {

    private static final String CRD_HEAD =
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n";

    @Test
    void shouldFindTheWasmBindingCrdOfThisBuild() throws IOException {
        Path crd = ProjectFiles.ofBuild().crd();

        CustomResourceDefinition definition =
                Serialization.unmarshal(Files.readString(crd), CustomResourceDefinition.class);
        assertThat(definition.getMetadata().getName()).isEqualTo(ProjectFiles.CRD_NAME);
        assertThat(definition.getSpec().getGroup()).isEqualTo("wasmbind.dev");
    }

    @Test
    void shouldFindTheExamplesTheClusterTestApplies() {
        ProjectFiles files = ProjectFiles.ofBuild();

        assertThat(files.exampleBinding("hello")).isRegularFile();
        assertThat(files.exampleModule("hello")).isRegularFile();
        assertThat(files.chart().resolve("Chart.yaml")).isRegularFile();
    }

    @Test
    void shouldPreferTheChartCopyOfTheCrd(@TempDir Path root) throws IOException {
        Path chartCrds = Files.createDirectories(root.resolve("helm/wasmbind/crds"));
        Files.writeString(chartCrds.resolve("a-other.yaml"), CRD_HEAD + "  name: others.example\n");
        Files.writeString(
                chartCrds.resolve("b-wasmbindings.yaml"),
                CRD_HEAD + "  name: wasmbindings.wasmbind.dev\n");
        Path generated = root.resolve(ProjectFiles.GENERATED_CRD);
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, CRD_HEAD + "  name: wasmbindings.wasmbind.dev\n");

        assertThat(ProjectFiles.at(root).crd()).isEqualTo(chartCrds.resolve("b-wasmbindings.yaml"));
    }

    @Test
    void shouldFallBackToTheGeneratedCrd(@TempDir Path root) throws IOException {
        Path generated = root.resolve(ProjectFiles.GENERATED_CRD);
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, CRD_HEAD + "  name: wasmbindings.wasmbind.dev\n");

        assertThat(ProjectFiles.at(root).crd()).isEqualTo(generated);
    }

    @Test
    void shouldSayHowToGetTheCrdWhenThereIsNone(@TempDir Path root) {
        assertThatThrownBy(() -> ProjectFiles.at(root).crd())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("build the crds module first");
    }
}
