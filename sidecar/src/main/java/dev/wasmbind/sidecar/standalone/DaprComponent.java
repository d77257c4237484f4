package dev.wasmbind.sidecar.standalone;

import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dapr {@code Component} file read as a binding: {@code spec.type: bindings.wasm} with the
 * metadata Dapr's wasm binding reads ({@code url}, {@code strictSandbox}), checked the way
 * components-contrib checks it and with its error texts. Metadata names match case-insensitively,
 * {@code strictSandbox} is "truthy" like Dapr's ({@code true, t, yes, y, on, 1}); other names are
 * ignored, as Dapr ignores them. {@code file://} paths resolve against the working directory, as
 * daprd's do. Beyond Dapr, {@code oci://} URLs work here too.
 */
final class DaprComponent {

    static final String KIND = "Component";
    static final String API_VERSION = "dapr.io/v1alpha1";
    static final String WASM_TYPE = "bindings.wasm";

    private static final Logger LOG = LoggerFactory.getLogger(DaprComponent.class);
    private static final Set<String> INITIAL_VERSIONS = Set.of("", "v0", "v1");
    private static final Set<String> TRUTHY = Set.of("true", "t", "yes", "y", "on", "1");

    private DaprComponent() {}

    /** The binding a Component document declares, or empty when it is another type (logged). */
    static Optional<ResourceLoader.Found> toBinding(Path file, Map<?, ?> document) {
        String name =
                ResourceLoader.scalar(ResourceLoader.field(document.get("metadata"), "name"), null);
        Object spec = document.get("spec");
        String type = ResourceLoader.scalar(ResourceLoader.field(spec, "type"), "");
        if (!WASM_TYPE.equals(type)) {
            LOG.info(
                    "skipping Dapr Component {} in {}: type {} is not {}",
                    name == null ? "without a name" : name,
                    file.getFileName(),
                    type.isEmpty() ? "(none)" : type,
                    WASM_TYPE);
            return Optional.empty();
        }
        String version = ResourceLoader.scalar(ResourceLoader.field(spec, "version"), "");
        Path workingDir = Path.of("").toAbsolutePath();
        try {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("metadata.name is missing");
            }
            if (!INITIAL_VERSIONS.contains(version.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "couldn't find binding " + WASM_TYPE + "/" + version);
            }
            WasmBindingSpec binding = new WasmBindingSpec();
            Map<String, String> metadata = metadata(ResourceLoader.field(spec, "metadata"));
            binding.setUrl(checkedUrl(metadata.get("url")));
            String strict = metadata.get("strictsandbox");
            if (strict != null) {
                binding.setStrictSandbox(isTruthy(strict));
            }
            if (!binding.strictSandboxEnabled()) {
                // Dapr lets every guest of a non-strict binding call any host over wasi-http.
                var outbound = new dev.wasmbind.api.v1alpha1.Outbound();
                outbound.setAllowedHosts(
                        new java.util.ArrayList<>(
                                java.util.List.of(
                                        dev.wasmbind.sidecar.wasihttp.OutboundPolicy.ALLOW_ALL)));
                binding.setOutbound(outbound);
                LOG.warn(
                        "Dapr Component {} in {}: its guest may send HTTP requests to any host"
                                + " (Dapr's behaviour; the sidecar's address guard still refuses"
                                + " cloud metadata and link-local addresses); convert it to a"
                                + " WasmBinding with spec.outbound.allowedHosts to restrict it",
                        name,
                        file.getFileName());
            }
            return Optional.of(new ResourceLoader.Found(file, name, binding, null, workingDir));
        } catch (IllegalArgumentException e) {
            String problem =
                    "Dapr Component "
                            + (name == null ? "without a name" : name)
                            + " ("
                            + WASM_TYPE
                            + "/"
                            + (version.isEmpty() ? "v1" : version)
                            + ") in "
                            + file.getFileName()
                            + ": "
                            + e.getMessage();
            LOG.error(problem);
            return Optional.of(new ResourceLoader.Found(file, name, null, problem, workingDir));
        }
    }

    /** name → value with lower-cased names, refusing duplicates and secret references. */
    private static Map<String, String> metadata(Object items) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (items == null) {
            return metadata;
        }
        if (!(items instanceof List<?> list)) {
            throw new IllegalArgumentException("spec.metadata must be a list of name/value");
        }
        for (Object item : list) {
            String name = ResourceLoader.scalar(ResourceLoader.field(item, "name"), "");
            String key = name.toLowerCase(Locale.ROOT);
            if (item instanceof Map<?, ?> fields && fields.containsKey("secretKeyRef")) {
                throw new IllegalArgumentException(
                        "metadata "
                                + name
                                + ": secretKeyRef needs a secret store, which the standalone"
                                + " sidecar has not; give the value inline");
            }
            // Dapr's metadata values are strings: a missing or null value is empty.
            Object value = ResourceLoader.field(item, "value");
            String text = value == null ? "" : ResourceLoader.scalar(value, String.valueOf(value));
            if (metadata.put(key, text) != null) {
                // kit/metadata's text for the same case.
                throw new IllegalArgumentException(
                        "wasm: failed to parse metadata: failed to resolve aliases: key "
                                + key
                                + " is duplicate in the metadata");
            }
        }
        return metadata;
    }

    /** components-contrib common/wasm GetInitMetadata's checks, with its messages. */
    private static String checkedUrl(String url) {
        if (url == null || url.isEmpty()) {
            throw metadataError("missing url");
        }
        int colon = url.indexOf(':');
        if (colon < 0) {
            throw metadataError("invalid URL: " + url);
        }
        String scheme = url.substring(0, colon);
        switch (scheme) {
            case "file", "oci" -> {
                return url;
            }
            case "http", "https" -> {
                try {
                    var uri = new java.net.URI(url);
                    if (uri.getHost() == null) {
                        throw metadataError("parse \"" + url + "\": missing or invalid host name");
                    }
                } catch (java.net.URISyntaxException e) {
                    throw metadataError("parse \"" + url + "\": " + e.getReason());
                }
                return url;
            }
            default -> throw metadataError("unsupported URL scheme: " + scheme);
        }
    }

    private static IllegalArgumentException metadataError(String message) {
        return new IllegalArgumentException("wasm: failed to parse metadata: " + message);
    }

    static boolean isTruthy(String value) {
        return TRUTHY.contains(value.trim().toLowerCase(Locale.ROOT));
    }
}
