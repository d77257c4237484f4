package dev.wasmbind.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** The files of this checkout the cluster tests use: the chart, the CRD and the examples. */
final class ProjectFiles {

    static final String CRD_NAME = "wasmbindings.wasmbind.dev";

    /** Where the crd-generator writes the CRD when the crds module is built. */
    static final Path GENERATED_CRD =
            Path.of("crds/target/classes/META-INF/fabric8/" + CRD_NAME + "-v1.yml");

    private final Path root;

    private ProjectFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    static ProjectFiles at(Path root) {
        return new ProjectFiles(root);
    }

    /** The checkout the build runs in (property {@code wasmbind.root}, set by the e2e pom). */
    static ProjectFiles ofBuild() {
        String root = System.getProperty("wasmbind.root");
        return at(root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent());
    }

    Path chart() {
        return root.resolve("helm/wasmbind");
    }

    /**
     * The WasmBinding CRD: the chart's copy in {@code helm/wasmbind/crds/} (what users install),
     * else the one the crds module generates into its {@code target/}.
     */
    Path crd() {
        return chartCrd()
                .or(() -> Optional.of(root.resolve(GENERATED_CRD)).filter(Files::isRegularFile))
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "no "
                                                + CRD_NAME
                                                + " CRD found in "
                                                + chart().resolve("crds")
                                                + " nor at "
                                                + root.resolve(GENERATED_CRD)
                                                + ": build the crds module first (-am)"));
    }

    Path exampleBindings() {
        return root.resolve("examples/bindings");
    }

    Path exampleBinding(String name) {
        return exampleBindings().resolve(name + ".yaml");
    }

    Path exampleModule(String name) {
        return root.resolve("examples/bindings/modules/" + name + ".wasm");
    }

    private Optional<Path> chartCrd() {
        Path dir = chart().resolve("crds");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(ProjectFiles::isYaml)
                    .sorted()
                    .filter(ProjectFiles::definesWasmBindings)
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isYaml(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean definesWasmBindings(Path path) {
        try {
            return Files.readString(path).contains("name: " + CRD_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
