package dev.wasmbind.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the CRD that fabric8's crd-generator-apt writes from the Java types into the file users
 * apply. Two touches only, because the generator cannot express them: it sorts printer columns by
 * JSON path (we want Phase, Digest, URL, Age) and cannot declare a column on metadata (Age, which
 * Kubernetes drops as soon as a CRD lists its own columns).
 */
final class CrdFiles {

    static final Path GENERATED =
            Path.of("target/classes/META-INF/fabric8/wasmbindings.wasmbind.dev-v1.yml");
    static final Path CRDS_COPY = Path.of("wasmbind.dev_wasmbindings.yaml");
    static final Path HELM_COPY = Path.of("../helm/wasmbind/crds/wasmbind.dev_wasmbindings.yaml");
    static final List<String> COLUMN_ORDER = List.of("Phase", "Digest", "URL", "Age");

    private static final String HEADER =
            "# Generated from the Java types in crds/src/main/java by fabric8 crd-generator-apt.\n"
                    + "# Do not edit: change the types and run scripts/update-crds.sh.\n";

    private static final ObjectMapper YAML =
            new ObjectMapper(
                    new YAMLFactory()
                            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private CrdFiles() {}

    /** The committed form of the generated CRD. */
    static String render(Path generated) throws IOException {
        ObjectNode crd = (ObjectNode) YAML.readTree(Files.readString(generated));
        for (JsonNode version : crd.path("spec").path("versions")) {
            ObjectNode v = (ObjectNode) version;
            List<JsonNode> columns = new ArrayList<>();
            v.withArray("additionalPrinterColumns").forEach(columns::add);
            ObjectNode age = YAML.createObjectNode();
            age.put("jsonPath", ".metadata.creationTimestamp");
            age.put("name", "Age");
            age.put("priority", 0);
            age.put("type", "date");
            columns.add(age);
            columns.sort(
                    (a, b) ->
                            Integer.compare(
                                    order(a.path("name").asText()),
                                    order(b.path("name").asText())));
            ArrayNode sorted = v.putArray("additionalPrinterColumns");
            columns.forEach(sorted::add);
        }
        return HEADER + YAML.writeValueAsString(crd);
    }

    private static int order(String name) {
        int index = COLUMN_ORDER.indexOf(name);
        if (index < 0) {
            throw new IllegalStateException(
                    "printer column " + name + " is not in CrdFiles.COLUMN_ORDER: add it there");
        }
        return index;
    }
}
