package dev.wasmbind.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An image tarball in the format {@code docker save} and Jib's {@code buildTar} write
 * (manifest.json, a config blob, one tar per layer), read the way a container engine does: its
 * config (entrypoint, command, environment, user, labels) and its layers unpacked in order into one
 * root filesystem.
 */
final class ImageArchive {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path tarball;
    private final Path contents;
    private final JsonNode config;
    private final List<Path> layers;

    private ImageArchive(Path tarball, Path contents, JsonNode config, List<Path> layers) {
        this.tarball = tarball;
        this.contents = contents;
        this.config = config;
        this.layers = layers;
    }

    /** Unpacks the tarball's top level (manifest, config, layer files) into {@code workDir}. */
    static ImageArchive open(Path tarball, Path workDir) throws IOException {
        Path contents = Files.createDirectories(workDir.resolve("archive"));
        Commands.run(List.of("tar", "-xf", tarball.toString(), "-C", contents.toString()));
        JsonNode manifest = JSON.readTree(contents.resolve("manifest.json").toFile());
        if (!manifest.isArray() || manifest.size() != 1) {
            throw new IllegalStateException(tarball + ": expected one image in manifest.json");
        }
        JsonNode image = manifest.get(0);
        JsonNode config = JSON.readTree(contents.resolve(image.get("Config").asText()).toFile());
        List<Path> layers = new ArrayList<>();
        image.get("Layers").forEach(layer -> layers.add(contents.resolve(layer.asText())));
        return new ImageArchive(tarball, contents, config, layers);
    }

    /** Every layer in order into {@code rootfs}, as root, keeping owners and modes. */
    Path unpackInto(Path rootfs) throws IOException {
        Files.createDirectories(rootfs);
        for (Path layer : layers) {
            // GNU tar detects the compression by itself (Jib gzips, mmdebstrap does not).
            Commands.run(
                    List.of(
                            "tar",
                            "-xf",
                            layer.toString(),
                            "-C",
                            rootfs.toString(),
                            "--same-owner",
                            "--preserve-permissions"));
        }
        // A layer that deletes files of a lower one carries ".wh." markers; neither Jib's layers
        // nor our one-layer base do, and honouring them is not worth the code while so.
        try (Stream<Path> files = Files.walk(rootfs.resolve("app"))) {
            files.filter(p -> p.getFileName().toString().startsWith(".wh."))
                    .findFirst()
                    .ifPresent(
                            p -> {
                                throw new IllegalStateException(
                                        tarball + " has whiteout files, not supported: " + p);
                            });
        }
        return rootfs;
    }

    List<String> entrypoint() {
        return strings(config.path("config").path("Entrypoint"));
    }

    List<String> command() {
        return strings(config.path("config").path("Cmd"));
    }

    /** The image's environment in order, as KEY=VALUE pairs turned into a map. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : strings(config.path("config").path("Env"))) {
            int eq = pair.indexOf('=');
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return env;
    }

    String user() {
        return config.path("config").path("User").asText("");
    }

    String workingDirectory() {
        String dir = config.path("config").path("WorkingDir").asText("");
        return dir.isEmpty() ? "/" : dir;
    }

    Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("config")
                .path("Labels")
                .fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    String created() {
        return config.path("created").asText();
    }

    /** Bytes of the layers as stored in the tarball (gzip for Jib's, what a registry holds). */
    long storedLayerBytes() {
        long total = 0;
        for (Path layer : layers) {
            try {
                total += Files.size(layer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    List<Path> layers() {
        return layers;
    }

    Path contents() {
        return contents;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
