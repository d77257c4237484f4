package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.sidecar.inpod.ModuleServiceException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The sidecar's client of the operator's module service (docs/module-service.md). HTTPS that trusts
 * exactly the CA it is given (never the JDK's defaults, never everything) and checks the host name;
 * the bearer token is read from its file on every request because the kubelet rotates projected
 * tokens. Blocking: {@link BindingSync} calls it from its own thread.
 */
public final class ModuleServiceClient {

    private final URI base;
    private final Path tokenFile;
    private final HttpClient http;
    private final Duration requestTimeout;

    private ModuleServiceClient(Builder builder, SSLContext tls) {
        String url = builder.url.toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.tokenFile = builder.tokenFile;
        this.requestTimeout = builder.requestTimeout;
        this.http =
                HttpClient.newBuilder()
                        .sslContext(tls)
                        .connectTimeout(builder.connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    public URI url() {
        return base;
    }

    /**
     * The bindings view of {@code namespace}; empty when it still has revision {@code ifNoneMatch}
     * (after up to {@code wait} of long-polling).
     *
     * @param names the bindings asked for; all of the namespace when empty
     * @param ifNoneMatch the revision the caller has applied, or null
     * @param wait how long the service may hold the request; zero for an immediate answer
     */
    public Optional<BindingView> bindings(
            String namespace, List<String> names, String ifNoneMatch, Duration wait)
            throws ModuleServiceException, InterruptedException {
        StringBuilder query = new StringBuilder();
        if (!names.isEmpty()) {
            query.append("names=").append(encode(String.join(",", names)));
        }
        if (!wait.isZero()) {
            query.append(query.isEmpty() ? "" : "&").append("wait=").append(wait.toSeconds() + "s");
        }
        URI uri =
                base.resolve(
                        "v1/namespaces/"
                                + encode(namespace)
                                + "/bindings"
                                + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder request = request(uri, requestTimeout.plus(wait));
        if (ifNoneMatch != null) {
            request.header("If-None-Match", "\"" + ifNoneMatch + "\"");
        }
        HttpResponse<InputStream> response = send(request.build());
        if (response.statusCode() == 304) {
            drain(response);
            return Optional.empty();
        }
        byte[] body = readOk(response, 16L * 1024 * 1024);
        try {
            return Optional.of(BindingView.parse(body));
        } catch (BindingView.InvalidViewException e) {
            throw new ModuleServiceException(Kind.BAD_RESPONSE, e.getMessage(), null, e);
        }
    }

    /** The bytes of module {@code sha256:<hex>}, at most {@code maxBytes}; not yet verified. */
    public byte[] module(String namespace, String sha256, long maxBytes)
            throws ModuleServiceException, InterruptedException {
        URI uri = base.resolve("v1/namespaces/" + encode(namespace) + "/modules/sha256/" + sha256);
        return readOk(send(request(uri, requestTimeout).build()), maxBytes);
    }

    private HttpRequest.Builder request(URI uri, Duration timeout) throws ModuleServiceException {
        String token;
        try {
            token = Files.readString(tokenFile).trim();
        } catch (IOException e) {
            throw new ModuleServiceException(
                    Kind.DENIED, "cannot read the token file " + tokenFile + ": " + e, null, e);
        }
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .GET();
    }

    private HttpResponse<InputStream> send(HttpRequest request)
            throws ModuleServiceException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ModuleServiceException(
                    Kind.UNREACHABLE, describeFailure(request.uri().getAuthority(), e), null, e);
        }
    }

    /**
     * Why a request to {@code authority} failed, for the status: a certificate the CA does not sign
     * is named as such; anything else, a handshake the service cut while closing included, means it
     * cannot be reached.
     */
    static String describeFailure(String authority, IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return "TLS with "
                        + authority
                        + " failed (is its certificate signed by the CA in "
                        + InPodSidecar.CA_ENV
                        + "?): "
                        + e.getMessage();
            }
        }
        return "cannot reach " + authority + ": " + e;
    }

    private static byte[] readOk(HttpResponse<InputStream> response, long maxBytes)
            throws ModuleServiceException {
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new ModuleServiceException(
                    Kind.UNREACHABLE,
                    "reading the answer of " + response.uri() + " failed: " + e,
                    null,
                    e);
        }
        int status = response.statusCode();
        if (status == 200) {
            if (body.length > maxBytes) {
                throw new ModuleServiceException(
                        Kind.BAD_RESPONSE,
                        response.uri() + " answered more than " + maxBytes + " bytes");
            }
            return body;
        }
        String message = response.uri().getPath() + " answered " + status + ": " + errorOf(body);
        if (status == 401 || status == 403) {
            throw new ModuleServiceException(Kind.DENIED, message);
        }
        if (status == 429) {
            Duration retryAfter =
                    response.headers()
                            .firstValue("Retry-After")
                            .map(ModuleServiceClient::seconds)
                            .orElse(null);
            throw new ModuleServiceException(Kind.RATE_LIMITED, message, retryAfter, null);
        }
        throw new ModuleServiceException(Kind.BAD_RESPONSE, message);
    }

    /** The {@code error} of the service's error body, or the start of the body. */
    private static String errorOf(byte[] body) {
        try {
            if (JsonValues.read(body) instanceof Map<?, ?> answer
                    && answer.get("error") instanceof String error) {
                return error;
            }
        } catch (IOException | RuntimeException e) {
            // not the JSON error body: show the text
        }
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return text.isBlank() ? "(no body)" : text.strip();
    }

    private static Duration seconds(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the connection is dropped then; nothing to do
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A TLS context that trusts exactly the certificates of {@code pem} (one or more CA
     * certificates).
     */
    static SSLContext trusting(String pem) {
        try {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(
                                            pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in the CA PEM");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "the module service's CA is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    public static final class Builder {
        private final URI url;
        private String caPem;
        private Path tokenFile;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder(URI url) {
            this.url = url;
        }

        /** The CA certificate(s), PEM, that signed the service's certificate. Required. */
        public Builder withCaPem(String caPem) {
            this.caPem = caPem;
            return this;
        }

        /** The projected ServiceAccount token, read on every request. Required. */
        public Builder withTokenFile(Path tokenFile) {
            this.tokenFile = tokenFile;
            return this;
        }

        /** How long a request may take besides the long-poll's wait (default 30s). */
        public Builder withRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public ModuleServiceClient build() {
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "the module service URL must be https://host[:port], got " + url);
            }
            if (caPem == null || caPem.isBlank()) {
                throw new IllegalArgumentException(
                        "the module service's CA certificate is missing (set "
                                + InPodSidecar.CA_ENV
                                + ")");
            }
            if (tokenFile == null) {
                throw new IllegalArgumentException("the token file is missing (--token-file)");
            }
            return new ModuleServiceClient(this, trusting(caPem));
        }
    }
}
