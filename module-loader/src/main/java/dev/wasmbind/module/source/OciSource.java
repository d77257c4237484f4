package dev.wasmbind.module.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.module.source.FetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.exception.OrasException;

/**
 * {@code oci://registry/repo:tag} and {@code oci://registry/repo@sha256:<hex>}: a CNCF wasm OCI
 * artifact (config {@value #WASM_CONFIG_MEDIA_TYPE}, one layer {@value #WASM_LAYER_MEDIA_TYPE}) or
 * a plain artifact whose only layer is a {@code .wasm} file (what {@code oras push x.wasm} makes).
 * Registries speak HTTPS with verified TLS unless listed as insecure (plain HTTP).
 */
public final class OciSource implements ModuleSource {

    public static final String WASM_CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json";
    public static final String WASM_LAYER_MEDIA_TYPE = "application/wasm";
    static final String TITLE_ANNOTATION = "org.opencontainers.image.title";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AddressGuard guard;
    private final Set<String> insecureRegistries;
    private final boolean plainHttpForLoopback;

    private OciSource(Builder builder) {
        this.guard = builder.guard;
        this.insecureRegistries = Set.copyOf(builder.insecureRegistries);
        this.plainHttpForLoopback = builder.plainHttpForLoopback;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
        URI url = request.url();
        ContainerRef ref = parse(url);
        String registryHost = ref.getRegistry();
        guard.check(URI.create("oci://" + registryHost + "/"));
        Registry registry = registry(registryHost, request.credentials());
        Manifest manifest = call(url, () -> registry.getManifest(ref));
        Layer layer = wasmLayer(url, manifest);
        if (layer.getSize() > maxBytes) {
            throw new FetchException(
                    Reason.TOO_LARGE,
                    url
                            + ": the wasm layer is "
                            + layer.getSize()
                            + " bytes, more than the limit of "
                            + maxBytes);
        }
        String layerDigest = layer.getDigest();
        byte[] bytes;
        try (InputStream in = call(url, () -> registry.fetchBlob(ref.withDigest(layerDigest)))) {
            bytes = BoundedReads.readAtMost(in, maxBytes, url.toString());
        } catch (IOException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "reading the wasm layer of " + url + " failed: " + e, e);
        }
        String actual = "sha256:" + Digests.sha256Hex(bytes);
        if (!actual.equals(layerDigest)) {
            throw new FetchException(
                    Reason.DIGEST_MISMATCH,
                    url + ": the registry sent a layer with " + actual + " for " + layerDigest);
        }
        String manifestDigest = manifest.getDigest();
        return new Fetched(
                bytes,
                registryHost
                        + "/"
                        + ref.getFullRepository()
                        + (manifestDigest == null ? "" : "@" + manifestDigest));
    }

    private static ContainerRef parse(URI url) throws FetchException {
        String reference = url.toString().substring("oci://".length());
        try {
            ContainerRef ref = ContainerRef.parse(reference);
            if (ref.isUnqualified()) {
                throw new IllegalArgumentException("the registry host is missing");
            }
            return ref;
        } catch (IllegalArgumentException | OrasException e) {
            throw new FetchException(
                    Reason.REFUSED,
                    url
                            + " is not an OCI reference of the form oci://registry/repo:tag or"
                            + " oci://registry/repo@sha256:<hex> ("
                            + e.getMessage()
                            + ")");
        }
    }

    private Registry registry(String host, Credentials credentials) throws FetchException {
        Registry.Builder builder = Registry.builder();
        Optional<String[]> userPassword = userPassword(host, credentials);
        if (userPassword.isPresent()) {
            builder.defaults(userPassword.get()[0], userPassword.get()[1]);
        } else if (credentials.bearerToken().isPresent()) {
            builder.withAuthToken(credentials.bearerToken().get());
        }
        return builder.withInsecure(isInsecure(host)).build();
    }

    private boolean isInsecure(String hostPort) {
        return insecureRegistries.contains(hostPort.toLowerCase(Locale.ROOT))
                || (plainHttpForLoopback && isLoopback(hostPort));
    }

    /** {@code localhost}, {@code 127.x.y.z} or {@code [::1]}, with or without a port. */
    static boolean isLoopback(String hostPort) {
        String host =
                hostPort.startsWith("[")
                        ? hostPort.substring(1, Math.max(1, hostPort.indexOf(']')))
                        : hostPort.split(":", 2)[0];
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    /** Username and password for {@code host}: basic credentials or the matching docker auth. */
    static Optional<String[]> userPassword(String host, Credentials credentials)
            throws FetchException {
        if (credentials.username().isPresent()) {
            return Optional.of(
                    new String[] {credentials.username().get(), credentials.password().orElse("")});
        }
        if (credentials.dockerConfigJson().isEmpty()) {
            return Optional.empty();
        }
        JsonNode auths;
        try {
            auths = JSON.readTree(credentials.dockerConfigJson().get()).path("auths");
        } catch (IOException e) {
            throw new FetchException(
                    Reason.AUTH_FAILED, "the pull secret's .dockerconfigjson is not JSON");
        }
        Iterator<Map.Entry<String, JsonNode>> entries = auths.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!registryKeyMatches(entry.getKey(), host)) {
                continue;
            }
            JsonNode auth = entry.getValue();
            if (auth.hasNonNull("username")) {
                return Optional.of(
                        new String[] {
                            auth.get("username").asText(), auth.path("password").asText("")
                        });
            }
            if (auth.hasNonNull("auth")) {
                String pair;
                try {
                    pair =
                            new String(
                                    Base64.getDecoder().decode(auth.get("auth").asText()),
                                    StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new FetchException(
                            Reason.AUTH_FAILED,
                            "the pull secret's auth for " + host + " is not base64");
                }
                int colon = pair.indexOf(':');
                if (colon < 0) {
                    throw new FetchException(
                            Reason.AUTH_FAILED,
                            "the pull secret's auth for " + host + " is not user:password");
                }
                return Optional.of(
                        new String[] {pair.substring(0, colon), pair.substring(colon + 1)});
            }
        }
        return Optional.empty();
    }

    /** Docker config keys may carry a scheme and a path ({@code https://host/v1/}). */
    private static boolean registryKeyMatches(String key, String host) {
        String bare = key.replaceFirst("^https?://", "");
        int slash = bare.indexOf('/');
        if (slash >= 0) {
            bare = bare.substring(0, slash);
        }
        return bare.equalsIgnoreCase(host);
    }

    private static Layer wasmLayer(URI url, Manifest manifest) throws FetchException {
        List<Layer> layers = manifest.getLayers();
        List<Layer> wasm =
                layers.stream()
                        .filter(l -> WASM_LAYER_MEDIA_TYPE.equals(l.getMediaType()))
                        .toList();
        if (wasm.size() == 1) {
            return wasm.get(0);
        }
        if (wasm.isEmpty() && layers.size() == 1 && titleEndsWithWasm(layers.get(0))) {
            return layers.get(0);
        }
        throw new FetchException(
                Reason.REFUSED,
                url
                        + " is not a wasm artifact: expected one layer of media type "
                        + WASM_LAYER_MEDIA_TYPE
                        + " (or a single .wasm file) but the manifest has "
                        + layers.stream().map(l -> l.getMediaType() + " " + title(l)).toList());
    }

    private static boolean titleEndsWithWasm(Layer layer) {
        return title(layer).endsWith(".wasm");
    }

    private static String title(Layer layer) {
        Map<String, String> annotations = layer.getAnnotations();
        return annotations == null ? "" : annotations.getOrDefault(TITLE_ANNOTATION, "");
    }

    @FunctionalInterface
    private interface RegistryCall<T> {
        T run();
    }

    /** Maps ORAS' unchecked errors to a {@link FetchException} with the cause in words. */
    private static <T> T call(URI url, RegistryCall<T> call) throws FetchException {
        try {
            return call.run();
        } catch (OrasException e) {
            int status = e.getStatusCode();
            if (status == 404) {
                throw new FetchException(
                        Reason.NOT_FOUND, url + " was not found in the registry (404)", e);
            }
            if (status == 401 || status == 403) {
                throw new FetchException(
                        Reason.AUTH_FAILED,
                        "the registry refused "
                                + url
                                + " ("
                                + status
                                + "): check the credentials in spec.pullSecret",
                        e);
            }
            Throwable root = rootCause(e);
            if (root instanceof HttpTimeoutException) {
                throw new FetchException(Reason.TIMEOUT, "timed out fetching " + url, e);
            }
            if (status > 0) {
                throw new FetchException(
                        Reason.BAD_RESPONSE, "the registry answered " + status + " for " + url, e);
            }
            throw new FetchException(
                    Reason.IO_ERROR,
                    "cannot fetch " + url + ": " + describe(root == null ? e : root),
                    e);
        } catch (RuntimeException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "cannot fetch " + url + ": " + describe(e), e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e.getCause();
        if (cause == null) {
            return null;
        }
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null
                ? e.getClass().getSimpleName() + ": " + e.getMessage()
                : e.getClass().getSimpleName();
    }

    public static final class Builder {
        private AddressGuard guard = AddressGuard.ALLOW_ALL;
        private Set<String> insecureRegistries = Set.of();
        private boolean plainHttpForLoopback;

        private Builder() {}

        /**
         * Registries on loopback ({@code localhost:5000}, {@code 127.0.0.1:5000}) speak plain HTTP,
         * as Docker assumes: the usual laptop registry has no certificate.
         */
        public Builder withPlainHttpForLoopback() {
            this.plainHttpForLoopback = true;
            return this;
        }

        /** Checks the registry host before every fetch. */
        public Builder withGuard(AddressGuard guard) {
            this.guard = guard;
            return this;
        }

        /** Registries ({@code host} or {@code host:port}) reached over plain HTTP. */
        public Builder withInsecureRegistries(Set<String> hosts) {
            this.insecureRegistries =
                    hosts.stream()
                            .map(h -> h.toLowerCase(Locale.ROOT))
                            .collect(java.util.stream.Collectors.toSet());
            return this;
        }

        public OciSource build() {
            return new OciSource(this);
        }
    }
}
