package dev.wasmbind.sidecar.standalone;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.sidecar.spec.WasmBindingSpecReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the WasmBinding resources of a folder: every {@code .yaml}/{@code .yml} file, each possibly
 * holding several documents. Dapr {@code Component}s of type {@code bindings.wasm} are read too
 * (see {@link DaprComponent}), so a {@code dapr run --resources-path} folder works unchanged. Other
 * kinds and component types are skipped with a log line; a document that cannot be read becomes a
 * {@link Found#problem()} so the caller can report it without stopping the others. Documents are
 * read into plain values ({@link YamlDocuments}) and specs by {@link WasmBindingSpecReader}, which
 * refuses unknown fields here: in a user's own file they are typos.
 */
public final class ResourceLoader {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceLoader.class);

    private static final Set<String> TOP_LEVEL_FIELDS =
            Set.of("apiVersion", "kind", "metadata", "spec", "status");

    private final WasmBindingSpecReader specReader = WasmBindingSpecReader.refusingUnknownFields();

    /**
     * One WasmBinding document found in a file.
     *
     * @param file the file it is in
     * @param name the resource's metadata.name, or null when the document has none
     * @param spec the resource's spec, or null when it could not be read
     * @param problem why it could not be read, or null
     * @param baseDir the folder relative {@code file://} URLs of this resource resolve against: the
     *     YAML file's folder for a WasmBinding, the working directory for a Dapr Component (as
     *     daprd resolves them)
     */
    public record Found(
            Path file, String name, WasmBindingSpec spec, String problem, Path baseDir) {

        /** A WasmBinding document: relative URLs resolve against the YAML file's folder. */
        public Found(Path file, String name, WasmBindingSpec spec, String problem) {
            this(file, name, spec, problem, folderOf(file));
        }

        private static Path folderOf(Path file) {
            Path parent = file.toAbsolutePath().getParent();
            return parent == null ? Path.of(".").toAbsolutePath() : parent;
        }
    }

    public List<Found> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files =
                    listing.filter(Files::isRegularFile)
                            .filter(
                                    p -> {
                                        String n = p.getFileName().toString();
                                        return n.endsWith(".yaml") || n.endsWith(".yml");
                                    })
                            .sorted()
                            .toList();
        }
        List<Found> found = new ArrayList<>();
        for (Path file : files) {
            found.addAll(loadFile(file));
        }
        return found;
    }

    List<Found> loadFile(Path file) {
        List<Found> found = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            YamlDocuments.read(
                    in,
                    document -> {
                        if (document != null) {
                            found.addAll(toBinding(file, document));
                        }
                    });
        } catch (IOException | RuntimeException e) {
            String problem = "cannot read " + file.getFileName() + ": " + firstLine(e.getMessage());
            LOG.error(problem);
            found.add(new Found(file, null, null, problem));
        }
        return found;
    }

    private List<Found> toBinding(Path file, Object document) {
        Map<?, ?> fields = document instanceof Map<?, ?> map ? map : Map.of();
        String kind = scalar(fields.get("kind"), "");
        String name = scalar(field(fields.get("metadata"), "name"), null);
        String apiVersion = scalar(fields.get("apiVersion"), "");
        if (DaprComponent.KIND.equals(kind) && DaprComponent.API_VERSION.equals(apiVersion)) {
            return DaprComponent.toBinding(file, fields).stream().toList();
        }
        if (!"WasmBinding".equals(kind)) {
            LOG.info(
                    "skipping {} in {}: not a WasmBinding",
                    kind.isEmpty() ? "a document without kind" : "kind " + kind,
                    file.getFileName());
            return List.of();
        }
        if (!WasmBinding.API_VERSION.equals(apiVersion)) {
            String problem =
                    "WasmBinding in "
                            + file.getFileName()
                            + " has apiVersion '"
                            + apiVersion
                            + "'; this sidecar reads "
                            + WasmBinding.API_VERSION;
            LOG.error(problem);
            return List.of(new Found(file, name, null, problem));
        }
        try {
            // Only the spec is read: the rest of the resource is Kubernetes' object metadata.
            String unknown = unknownField(fields);
            if (unknown != null) {
                throw new IllegalArgumentException("unknown field \"" + unknown + "\"");
            }
            Object spec = fields.get("spec");
            if (!(spec instanceof Map)) {
                throw new IllegalArgumentException("spec is missing");
            }
            return List.of(new Found(file, name, specReader.read(spec), null));
        } catch (IllegalArgumentException e) {
            String problem =
                    "WasmBinding "
                            + (name == null ? "without a name" : name)
                            + " in "
                            + file.getFileName()
                            + " is invalid: "
                            + firstLine(e.getMessage());
            LOG.error(problem);
            return List.of(new Found(file, name, null, problem));
        }
    }

    /** {@code object}'s field {@code name}, or null when {@code object} is no map. */
    static Object field(Object object, String name) {
        return object instanceof Map<?, ?> fields ? fields.get(name) : null;
    }

    /**
     * A scalar's text (YAML scalars are read as text); {@code otherwise} for null or a collection.
     */
    static String scalar(Object value, String otherwise) {
        return value instanceof String text ? text : otherwise;
    }

    /** The first top-level field a WasmBinding does not have, or null. */
    private static String unknownField(Map<?, ?> document) {
        for (Object field : document.keySet()) {
            if (!TOP_LEVEL_FIELDS.contains(String.valueOf(field))) {
                return String.valueOf(field);
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
