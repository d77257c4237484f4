package dev.wasmbind.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `helm install` with the chart's defaults must pull exactly the images this module builds: {@code
 * <images.defaultRepository>/wasmbind-{operator,injector,sidecar}:<project version>}
 * (images/pom.xml), and run the operator with its image's JVM flags (the chart's {@code
 * operator.javaOptions} replaces them). Rendered by real Helm.
 */
class ChartMatchesImagesTest {

    private static final String REPOSITORY = System.getProperty("images.defaultRepository");
    private static final String TAG = System.getProperty("images.defaultTag");
    private static final String OPERATOR_JAVA_OPTIONS =
            System.getProperty("images.operator.javaOptions");

    private static List<JsonNode> renderChartDefaults() throws Exception {
        Path chart =
                Path.of(System.getProperty("wasmbind.root", ".."))
                        .resolve("helm/wasmbind")
                        .toAbsolutePath()
                        .normalize();
        String yaml =
                new Helm(chart).template().withName("wasmbind").withNamespace("wasmbind").call();
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it =
                new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static JsonNode container(List<JsonNode> documents, String deploymentSuffix) {
        return documents.stream()
                .filter(d -> "Deployment".equals(d.path("kind").asText()))
                .filter(d -> d.path("metadata").path("name").asText().endsWith(deploymentSuffix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment *" + deploymentSuffix))
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
    }

    @Test
    void chartDefaultsPullTheImagesTheBuildTags() throws Exception {
        assertThat(REPOSITORY).as("set by images/pom.xml").isNotBlank();
        assertThat(TAG).as("set by images/pom.xml").isNotBlank();
        List<JsonNode> chart = renderChartDefaults();

        JsonNode operator = container(chart, "-operator");
        JsonNode injector = container(chart, "-injector");
        List<String> injectorArgs = new ArrayList<>();
        injector.path("args").forEach(arg -> injectorArgs.add(arg.asText()));

        assertThat(operator.path("image").asText())
                .isEqualTo(REPOSITORY + "/wasmbind-operator:" + TAG);
        assertThat(injector.path("image").asText())
                .isEqualTo(REPOSITORY + "/wasmbind-injector:" + TAG);
        assertThat(injectorArgs)
                .contains("--sidecar-image=" + REPOSITORY + "/wasmbind-sidecar:" + TAG);
    }

    @Test
    void chartDefaultsRunTheOperatorWithItsImagesJvmFlags() throws Exception {
        assertThat(OPERATOR_JAVA_OPTIONS).as("set by images/pom.xml").isNotBlank();
        JsonNode operator = container(renderChartDefaults(), "-operator");

        List<String> javaToolOptions = new ArrayList<>();
        operator.path("env")
                .forEach(
                        env -> {
                            if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                                javaToolOptions.add(env.path("value").asText());
                            }
                        });
        assertThat(javaToolOptions).containsExactly(OPERATOR_JAVA_OPTIONS);
    }
}
