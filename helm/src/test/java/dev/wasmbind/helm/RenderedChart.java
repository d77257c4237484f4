package dev.wasmbind.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The chart rendered by real Helm ({@code helm template}), as parsed documents. */
final class RenderedChart {

    static final String RELEASE = "wasmbind";
    static final String NAMESPACE = "wasmbind-system";

    private final List<JsonNode> documents;

    private RenderedChart(List<JsonNode> documents) {
        this.documents = documents;
    }

    static Path chartDir() {
        String root = System.getProperty("wasmbind.root");
        Path base = root != null ? Path.of(root) : Path.of("..");
        return base.resolve("helm/wasmbind").toAbsolutePath().normalize();
    }

    static RenderedChart withDefaults() {
        return with(Map.of());
    }

    /** Renders with {@code --set} values; Helm's own errors surface as IllegalStateException. */
    static RenderedChart with(Map<String, String> values) {
        TemplateCommand template =
                new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE);
        new LinkedHashMap<>(values).forEach(template::set);
        return parse(template.call());
    }

    /** Renders as for a cluster of that version (helm template assumes an old one otherwise). */
    static RenderedChart forKubeVersion(String kubeVersion, Map<String, String> values) {
        TemplateCommand template =
                new Helm(chartDir())
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(kubeVersion);
        new LinkedHashMap<>(values).forEach(template::set);
        return parse(template.call());
    }

    static RenderedChart withValuesFile(Path valuesFile) {
        return parse(
                new Helm(chartDir())
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withValuesFile(valuesFile)
                        .call());
    }

    /** The CRDs Helm installs from the chart's crds/ folder ({@code helm show crds}). */
    static RenderedChart crds() {
        return parse(new Helm(chartDir()).show().crds().call());
    }

    private static RenderedChart parse(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it =
                new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && document.has("kind")) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm rendered unparsable YAML", e);
        }
        return new RenderedChart(documents);
    }

    List<JsonNode> all() {
        return documents;
    }

    List<JsonNode> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    boolean has(String kind, String name) {
        return ofKind(kind).stream().anyMatch(d -> name.equals(d.at("/metadata/name").asText()));
    }

    JsonNode get(String kind, String name) {
        return ofKind(kind).stream()
                .filter(d -> name.equals(d.at("/metadata/name").asText()))
                .findFirst()
                .orElseThrow(
                        () ->
                                new NoSuchElementException(
                                        "no " + kind + " " + name + " rendered; have " + names()));
    }

    /** A rendered object as a fabric8 model type, for typed assertions. */
    <T> T get(String kind, String name, Class<T> type) {
        return Serialization.jsonMapper().convertValue(get(kind, name), type);
    }

    private List<String> names() {
        return documents.stream()
                .map(d -> d.path("kind").asText() + "/" + d.at("/metadata/name").asText())
                .toList();
    }
}
