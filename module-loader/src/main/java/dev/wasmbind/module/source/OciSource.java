package dev.wasmbind.module.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.module.source.FetchException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code oci://registry/repo:tag} and {@code oci://registry/repo@sha256:<hex>}: a CNCF wasm OCI
 * artifact (config {@value #WASM_CONFIG_MEDIA_TYPE}, one layer {@value #WASM_LAYER_MEDIA_TYPE}) or
 * a plain artifact whose only layer is a {@code .wasm} file (what {@code oras push x.wasm} makes).
 * Registries speak HTTPS with verified TLS unless listed as insecure (plain HTTP).
 *
 * <p>A small client of the OCI distribution pull protocol on {@link GuardedHttp}, so every hop
 * (manifest, blob, the blob's redirect to storage, the token realm) passes the address guard and
 * the deadlines: challenge ({@code 401} with {@code WWW-Authenticate: Basic} or {@code Bearer
 * realm=...}), token, {@code GET} manifest, {@code GET} blob.
 */
public final class OciSource implements ModuleSource {

    public static final String WASM_CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json";
    public static final String WASM_LAYER_MEDIA_TYPE = "application/wasm";
    static final String TITLE_ANNOTATION = "org.opencontainers.image.title";

    /** Manifests are small JSON documents; a bigger one is not a wasm artifact. */
    static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

    /** Token answers are small JSON documents. */
    static final long MAX_TOKEN_BYTES = 1024L * 1024;

    private static final String MANIFEST_ACCEPT =
            "application/vnd.oci.image.manifest.v1+json,"
                    + " application/vnd.docker.distribution.manifest.v2+json";

    /** {@code registry[:port]/repo/path} then {@code :tag} and/or {@code @sha256:hex}. */
    private static final Pattern REFERENCE =
            Pattern.compile(
                    "^(?<registry>[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9A-Fa-f:.]+](?::[0-9]+)?)"
                            + "/(?<repo>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                            + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
                            + "(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
                            + "(?:@(?<digest>sha256:[0-9a-f]{64}))?$");

    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed reference. */
    record Reference(String registry, String repository, String reference) {}

    private final GuardedHttp http;
    private final Set<String> insecureRegistries;
    private final boolean plainHttpForLoopback;

    private OciSource(FetchPolicy policy) {
        this.http = new GuardedHttp(policy);
        this.insecureRegistries = policy.insecureRegistries();
        this.plainHttpForLoopback = policy.plainHttpForLoopback();
    }

    /**
     * A source that pulls as {@code policy} says: every hop (registry, blob redirects, token realm)
     * checked by its guard, its insecure registries and loopback ones over plain HTTP.
     */
    public static OciSource of(FetchPolicy policy) {
        return new OciSource(policy);
    }

    @Override
    public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
        URI url = request.url();
        Reference ref = parse(url);
        Instant deadline = http.deadline();
        Session session = new Session(url, ref, request.credentials(), deadline);
        byte[] manifestBytes =
                session.get(
                        "manifests/" + ref.reference(),
                        Map.of("Accept", MANIFEST_ACCEPT),
                        MAX_MANIFEST_BYTES,
                        "the manifest of " + url);
        String manifestDigest = "sha256:" + Digests.sha256Hex(manifestBytes);
        if (ref.reference().startsWith("sha256:") && !ref.reference().equals(manifestDigest)) {
            throw new FetchException(
                    Reason.DIGEST_MISMATCH,
                    url + ": the registry sent a manifest with " + manifestDigest);
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestBytes);
        } catch (IOException e) {
            throw new FetchException(
                    Reason.BAD_RESPONSE, "the manifest of " + url + " is not JSON", e);
        }
        JsonNode layer = wasmLayer(url, manifest);
        long size = layer.path("size").asLong(-1);
        if (size > maxBytes) {
            throw new FetchException(
                    Reason.TOO_LARGE,
                    url
                            + ": the wasm layer is "
                            + size
                            + " bytes, more than the limit of "
                            + maxBytes);
        }
        String layerDigest = layer.path("digest").asText("");
        if (!layerDigest.matches("sha256:[0-9a-f]{64}")) {
            throw new FetchException(
                    Reason.BAD_RESPONSE,
                    url + ": the wasm layer's digest '" + layerDigest + "' is not sha256:<hex>");
        }
        byte[] bytes = session.get("blobs/" + layerDigest, Map.of(), maxBytes, url.toString());
        String actual = "sha256:" + Digests.sha256Hex(bytes);
        if (!actual.equals(layerDigest)) {
            throw new FetchException(
                    Reason.DIGEST_MISMATCH,
                    url + ": the registry sent a layer with " + actual + " for " + layerDigest);
        }
        return new Fetched(bytes, ref.registry() + "/" + ref.repository() + "@" + manifestDigest);
    }

    /**
     * One pull: remembers the {@code Authorization} the registry's challenge led to, so the blob
     * request reuses the token the manifest request obtained.
     */
    private final class Session {
        private final URI url;
        private final Reference ref;
        private final Credentials credentials;
        private final Instant deadline;
        private final URI base;
        private final Optional<String[]> userPassword;
        private Optional<String> authorization;
        private boolean challenged;

        Session(URI url, Reference ref, Credentials credentials, Instant deadline)
                throws FetchException {
            this.url = url;
            this.ref = ref;
            this.credentials = credentials;
            this.deadline = deadline;
            String scheme = isInsecure(ref.registry()) ? "http" : "https";
            this.base =
                    URI.create(scheme + "://" + ref.registry() + "/v2/" + ref.repository() + "/");
            this.userPassword = userPassword(ref.registry(), credentials);
            this.authorization = initialAuthorization();
        }

        /** A bearer token from the secret goes to the registry at once (no challenge needed). */
        private Optional<String> initialAuthorization() throws FetchException {
            if (credentials.bearerToken().isPresent() && userPassword.isEmpty()) {
                requireAllowed();
                return Optional.of("Bearer " + credentials.bearerToken().get());
            }
            return Optional.empty();
        }

        private void requireAllowed() throws FetchException {
            URI registry = URI.create("oci://" + ref.registry() + "/");
            if (!credentials.allowsHost(registry)) {
                throw new FetchException(
                        Reason.REFUSED,
                        "the pull secret may not be sent to "
                                + ref.registry()
                                + " (it allows "
                                + (credentials.allowedHosts().isEmpty()
                                        ? "no host"
                                        : String.join(
                                                ", ",
                                                credentials.allowedHosts().stream()
                                                        .sorted()
                                                        .toList()))
                                + ")");
            }
        }

        byte[] get(String path, Map<String, String> headers, long maxBytes, String what)
                throws FetchException {
            URI target = base.resolve(path);
            while (true) {
                GuardedHttp.Response response = http.get(target, headers, authorization, deadline);
                try (response) {
                    int status = response.status();
                    if (status == 200) {
                        return http.readBody(response, maxBytes, deadline, what);
                    }
                    if (status == 401 && !challenged) {
                        challenged = true;
                        Optional<String> answer =
                                answer(response.header("WWW-Authenticate").orElse(""));
                        if (answer.isPresent()) {
                            authorization = answer;
                            continue;
                        }
                    }
                    throw error(status);
                }
            }
        }

        private FetchException error(int status) {
            return switch (status) {
                case 404 ->
                        new FetchException(
                                Reason.NOT_FOUND, url + " was not found in the registry (404)");
                case 401, 403 ->
                        new FetchException(
                                Reason.AUTH_FAILED,
                                "the registry refused "
                                        + url
                                        + " ("
                                        + status
                                        + "): check the credentials in spec.pullSecret");
                default ->
                        new FetchException(
                                Reason.BAD_RESPONSE,
                                "the registry answered " + status + " for " + url);
            };
        }

        /** The {@code Authorization} a challenge asks for, or empty when we have nothing. */
        private Optional<String> answer(String challenge) throws FetchException {
            String scheme = challenge.strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            if (scheme.equals("basic")) {
                if (userPassword.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(HttpSource.basic(userPassword.get()[0], userPassword.get()[1]));
            }
            if (scheme.equals("bearer")) {
                return Optional.of("Bearer " + token(challenge));
            }
            return Optional.empty();
        }

        /**
         * Asks the token realm the registry named, with the registry's credentials when there are
         * some (as Docker does: the registry chose its realm). The realm passes the guard; it must
         * be HTTPS unless the registry itself is reached over plain HTTP.
         */
        private String token(String challenge) throws FetchException {
            Map<String, String> params = new HashMap<>();
            Matcher m = CHALLENGE_PARAM.matcher(challenge);
            while (m.find()) {
                params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
            }
            String realm = params.get("realm");
            if (realm == null || realm.isBlank()) {
                throw new FetchException(
                        Reason.BAD_RESPONSE,
                        "the registry of " + url + " asked for a token without naming a realm");
            }
            URI realmUrl;
            try {
                realmUrl = URI.create(realm.strip());
            } catch (IllegalArgumentException e) {
                throw new FetchException(
                        Reason.BAD_RESPONSE,
                        "the registry of " + url + " named a malformed token realm: " + realm,
                        e);
            }
            String realmScheme =
                    realmUrl.getScheme() == null
                            ? ""
                            : realmUrl.getScheme().toLowerCase(Locale.ROOT);
            boolean plainAllowed = base.getScheme().equals("http");
            if (!realmScheme.equals("https") && !(plainAllowed && realmScheme.equals("http"))) {
                throw new FetchException(
                        Reason.REFUSED,
                        "the registry of "
                                + url
                                + " named the token realm "
                                + realm
                                + ", which is not https");
            }
            List<String> query = new ArrayList<>();
            if (params.containsKey("service")) {
                query.add("service=" + encode(params.get("service")));
            }
            String scope = params.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
            query.add("scope=" + encode(scope));
            URI tokenUrl =
                    URI.create(
                            realmUrl
                                    + (realmUrl.getRawQuery() == null ? "?" : "&")
                                    + String.join("&", query));
            Optional<String> basic = userPassword.map(up -> HttpSource.basic(up[0], up[1]));
            byte[] body;
            try (GuardedHttp.Response response = http.get(tokenUrl, Map.of(), basic, deadline)) {
                if (response.status() != 200) {
                    if (response.status() == 401 || response.status() == 403) {
                        throw new FetchException(
                                Reason.AUTH_FAILED,
                                "the token service "
                                        + realmUrl.getHost()
                                        + " refused "
                                        + url
                                        + " ("
                                        + response.status()
                                        + "): check the credentials in spec.pullSecret");
                    }
                    throw new FetchException(
                            Reason.BAD_RESPONSE,
                            "the token service "
                                    + realmUrl.getHost()
                                    + " answered "
                                    + response.status()
                                    + " for "
                                    + url);
                }
                body = http.readBody(response, MAX_TOKEN_BYTES, deadline, "the token for " + url);
            }
            try {
                JsonNode json = JSON.readTree(body);
                String token = json.path("token").asText(json.path("access_token").asText(""));
                if (token.isEmpty()) {
                    throw new FetchException(
                            Reason.BAD_RESPONSE,
                            "the token service answered without a token for " + url);
                }
                return token;
            } catch (IOException e) {
                throw new FetchException(
                        Reason.BAD_RESPONSE, "the token service's answer is not JSON", e);
            }
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static Reference parse(URI url) throws FetchException {
        String reference = url.toString().substring("oci://".length());
        Matcher m = REFERENCE.matcher(reference);
        if (!m.matches()) {
            throw new FetchException(
                    Reason.REFUSED,
                    url
                            + " is not an OCI reference of the form oci://registry/repo:tag or"
                            + " oci://registry/repo@sha256:<hex>");
        }
        String ref =
                m.group("digest") != null
                        ? m.group("digest")
                        : m.group("tag") != null ? m.group("tag") : "latest";
        return new Reference(m.group("registry").toLowerCase(Locale.ROOT), m.group("repo"), ref);
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
            if (!credentials.allowsHost(URI.create("oci://" + host + "/"))) {
                return Optional.empty();
            }
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

    private static JsonNode wasmLayer(URI url, JsonNode manifest) throws FetchException {
        String mediaType = manifest.path("mediaType").asText("");
        if (mediaType.contains("index") || mediaType.contains("manifest.list")) {
            throw new FetchException(
                    Reason.REFUSED,
                    url + " is an image index (" + mediaType + "), not a wasm artifact");
        }
        List<JsonNode> layers = new ArrayList<>();
        manifest.path("layers").forEach(layers::add);
        List<JsonNode> wasm =
                layers.stream()
                        .filter(l -> WASM_LAYER_MEDIA_TYPE.equals(l.path("mediaType").asText()))
                        .toList();
        if (wasm.size() == 1) {
            return wasm.get(0);
        }
        if (wasm.isEmpty() && layers.size() == 1 && title(layers.get(0)).endsWith(".wasm")) {
            return layers.get(0);
        }
        throw new FetchException(
                Reason.REFUSED,
                url
                        + " is not a wasm artifact: expected one layer of media type "
                        + WASM_LAYER_MEDIA_TYPE
                        + " (or a single .wasm file) but the manifest has "
                        + layers.stream()
                                .map(l -> l.path("mediaType").asText() + " " + title(l))
                                .toList());
    }

    private static String title(JsonNode layer) {
        return layer.path("annotations").path(TITLE_ANNOTATION).asText("");
    }
}
