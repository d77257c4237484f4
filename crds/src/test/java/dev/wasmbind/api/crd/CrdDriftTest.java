package dev.wasmbind.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the committed CRD copies against drift from the Java types. With {@code
 * -Dcrds.update=true} (scripts/update-crds.sh) it writes them instead.
 */
class CrdDriftTest {

    private static String expected;

    @BeforeAll
    static void render() throws Exception {
        assertThat(CrdFiles.GENERATED)
                .as("crd-generator-apt output (compile the crds module first)")
                .exists();
        expected = CrdFiles.render(CrdFiles.GENERATED);
        if (Boolean.getBoolean("crds.update")) {
            for (Path copy : List.of(CrdFiles.CRDS_COPY, CrdFiles.HELM_COPY)) {
                Files.createDirectories(copy.toAbsolutePath().getParent());
                Files.writeString(copy, expected);
            }
        }
    }

    @Test
    void shouldMatchTheCommittedCrdInCrdsFolder() throws Exception {
        assertSame(CrdFiles.CRDS_COPY);
    }

    @Test
    void shouldMatchTheCommittedCrdInTheHelmChart() throws Exception {
        assertSame(CrdFiles.HELM_COPY);
    }

    @Test
    void shouldListPrinterColumnsPhaseDigestUrlAge() throws Exception {
        JsonNode version = crd().path("spec").path("versions").get(0);
        List<String> names = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).containsExactly("Phase", "Digest", "URL", "Age");
        assertThat(version.path("additionalPrinterColumns").get(1).path("jsonPath").asText())
                .isEqualTo(".status.shortDigest");
        assertThat(version.path("subresources").has("status")).isTrue();
        assertThat(crd().path("spec").path("names").path("shortNames").get(0).asText())
                .isEqualTo("wb");
    }

    @Test
    void shouldDescribeEveryFieldOfSpecAndStatus() throws Exception {
        JsonNode root = crd().path("spec").path("versions").get(0).path("schema");
        List<String> undocumented = new ArrayList<>();
        JsonNode properties = root.path("openAPIV3Schema").path("properties");
        collectUndocumented("spec", properties.path("spec"), undocumented);
        collectUndocumented("status", properties.path("status"), undocumented);
        assertThat(undocumented).as("fields without a description").isEmpty();
    }

    private static void collectUndocumented(String path, JsonNode schema, List<String> out) {
        if (!schema.hasNonNull("description")) {
            out.add(path);
        }
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            collectUndocumented(path + "." + p.getKey(), p.getValue(), out);
        }
        JsonNode items = schema.path("items");
        for (Map.Entry<String, JsonNode> p : items.path("properties").properties()) {
            collectUndocumented(path + "[]." + p.getKey(), p.getValue(), out);
        }
    }

    private static JsonNode crd() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(expected);
    }

    private static void assertSame(Path copy) throws Exception {
        assertThat(copy)
                .as(
                        "%s is missing or differs from the CRD generated from the Java types: run"
                                + " scripts/update-crds.sh and commit the result",
                        copy)
                .exists();
        assertThat(Files.readString(copy))
                .as(
                        "%s differs from the CRD generated from the Java types: run"
                                + " scripts/update-crds.sh and commit the result",
                        copy)
                .isEqualTo(expected);
    }
}
