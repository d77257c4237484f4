package dev.wasmbind.module.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.Manifest;
import land.oras.Registry;

/** Pushes wasm artifacts to a {@link LocalRegistry} with ORAS, the way users publish them. */
public final class OciPush {

    public static final String WASM_CONFIG = "application/vnd.wasm.config.v0+json";
    public static final String WASM_LAYER = "application/wasm";
    public static final String TAR_LAYER = "application/vnd.oci.image.layer.v1.tar";

    private final Registry registry;
    private final String hostPort;

    private OciPush(Registry registry, String hostPort) {
        this.registry = registry;
        this.hostPort = hostPort;
    }

    public static OciPush to(LocalRegistry local) {
        return new OciPush(Registry.builder().insecure().build(), local.hostPort());
    }

    public static OciPush to(LocalRegistry local, String username, String password) {
        return new OciPush(
                Registry.builder().insecure().defaults(username, password).build(),
                local.hostPort());
    }

    /** A CNCF wasm artifact: wasm config, one application/wasm layer. Returns the manifest. */
    public Manifest cncfWasm(String repoAndTag, byte[] wasm) {
        return push(repoAndTag, WASM_CONFIG, List.of(new LayerSpec(wasm, WASM_LAYER, "m.wasm")));
    }

    /** What {@code oras push repo:tag hello.wasm} makes: one tar-typed layer titled hello.wasm. */
    public Manifest plainFile(String repoAndTag, byte[] wasm, String title) {
        return push(
                repoAndTag,
                "application/vnd.oci.empty.v1+json",
                List.of(new LayerSpec(wasm, TAR_LAYER, title)));
    }

    /** Any artifact, for the cases that must be refused. */
    public Manifest push(String repoAndTag, String configMediaType, List<LayerSpec> layers) {
        ContainerRef ref = ContainerRef.parse(hostPort + "/" + repoAndTag);
        byte[] configBytes = "{}".getBytes(StandardCharsets.UTF_8);
        Layer configBlob = registry.pushBlob(ref, configBytes);
        Config config = Config.fromBlob(configMediaType, configBlob);
        List<Layer> pushed =
                layers.stream()
                        .map(
                                spec -> {
                                    Layer blob = registry.pushBlob(ref, spec.bytes());
                                    return Layer.fromDigest(blob.getDigest(), spec.bytes().length)
                                            .withMediaType(spec.mediaType())
                                            .withAnnotations(
                                                    Map.of(
                                                            "org.opencontainers.image.title",
                                                            spec.title()));
                                })
                        .toList();
        return registry.pushManifest(ref, Manifest.empty().withConfig(config).withLayers(pushed));
    }

    public record LayerSpec(byte[] bytes, String mediaType, String title) {}
}
