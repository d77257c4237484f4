package dev.wasmbind.injector.patch;

import dev.wasmbind.injector.tls.InvalidKeyMaterialException;
import dev.wasmbind.injector.tls.PemPair;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How the injector builds sidecars: set once from flags/env at start-up, the same for every pod.
 * Per-pod settings come from annotations ({@link PodSettings}).
 */
public final class SidecarConfig {

    public static final String CONTAINER_NAME = "wasmbind-sidecar";
    public static final int DEFAULT_HTTP_PORT = 3500;
    public static final int DEFAULT_HEALTH_PORT = 9464;

    /** The sidecar's environment variable holding the module service's CA (PEM). */
    public static final String MODULE_SERVICE_CA_ENV = "WASMBIND_MODULE_SERVICE_CA";

    public static final String DEFAULT_LOG_LEVEL = "info";
    public static final String TOKEN_AUDIENCE = "wasmbind";
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final java.util.regex.Pattern GO_DURATION =
            java.util.regex.Pattern.compile("([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+");
    private static final java.util.regex.Pattern PLAIN_BYTES =
            java.util.regex.Pattern.compile("[1-9][0-9]{0,8}");
    private static final java.util.regex.Pattern BINARY_BYTES =
            java.util.regex.Pattern.compile("[1-9][0-9]{0,17}(Ki|Mi|Gi)?");

    private final String image;
    private final String imagePullPolicy;
    private final boolean nativeSidecar;
    private final String moduleServiceUrl;
    private final String moduleServiceCa;
    private final String injectorVersion;
    private final String logLevel;
    private final Quantity cpuRequest;
    private final Quantity cpuLimit;
    private final Quantity memoryRequest;
    private final Quantity memoryLimit;
    private final long runAsUser;
    private final long tokenExpirationSeconds;
    private final List<String> serverLimitArgs;

    private SidecarConfig(Builder b) {
        this.image = Objects.requireNonNull(b.image, "sidecar image is required");
        this.imagePullPolicy = b.imagePullPolicy;
        this.nativeSidecar = b.nativeSidecar;
        this.moduleServiceUrl = b.moduleServiceUrl;
        this.moduleServiceCa = b.moduleServiceCa;
        this.injectorVersion = b.injectorVersion;
        this.logLevel = b.logLevel;
        this.cpuRequest = b.cpuRequest;
        this.cpuLimit = b.cpuLimit;
        this.memoryRequest = b.memoryRequest;
        this.memoryLimit = b.memoryLimit;
        this.runAsUser = b.runAsUser;
        this.tokenExpirationSeconds = b.tokenExpirationSeconds;
        this.serverLimitArgs = List.copyOf(b.serverLimitArgs);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String image() {
        return image;
    }

    public String imagePullPolicy() {
        return imagePullPolicy;
    }

    /** Inject as an init container with restartPolicy Always (Kubernetes >= 1.29). */
    public boolean nativeSidecar() {
        return nativeSidecar;
    }

    /** The operator's module service URL, or null when not configured (then no arg is passed). */
    public String moduleServiceUrl() {
        return moduleServiceUrl;
    }

    /**
     * The CA certificate(s) the sidecar trusts for the module service (PEM), or null when not
     * configured (then the sidecar gets no {@value #MODULE_SERVICE_CA_ENV}).
     */
    public String moduleServiceCa() {
        return moduleServiceCa;
    }

    public String injectorVersion() {
        return injectorVersion;
    }

    public String logLevel() {
        return logLevel;
    }

    /** Default resources; null means "not set" (no CPU limit by default, to avoid throttling). */
    public Quantity cpuRequest() {
        return cpuRequest;
    }

    public Quantity cpuLimit() {
        return cpuLimit;
    }

    public Quantity memoryRequest() {
        return memoryRequest;
    }

    public Quantity memoryLimit() {
        return memoryLimit;
    }

    public long runAsUser() {
        return runAsUser;
    }

    public long tokenExpirationSeconds() {
        return tokenExpirationSeconds;
    }

    /**
     * The sidecar's HTTP server limits as its flags ({@code --idle-timeout 2m}, ...), only those
     * set; empty: the sidecar's own defaults.
     */
    public List<String> serverLimitArgs() {
        return serverLimitArgs;
    }

    public static final class Builder {
        private String image;
        private String imagePullPolicy = "IfNotPresent";
        private boolean nativeSidecar;
        private String moduleServiceUrl;
        private String moduleServiceCa;
        private String injectorVersion = "dev";
        private String logLevel = DEFAULT_LOG_LEVEL;
        private Quantity cpuRequest = new Quantity("100m");
        private Quantity cpuLimit;
        private Quantity memoryRequest = new Quantity("128Mi");
        private Quantity memoryLimit = new Quantity("512Mi");
        private long runAsUser = 65532;
        private long tokenExpirationSeconds = 3600;
        private final List<String> serverLimitArgs = new java.util.ArrayList<>();

        private Builder() {}

        public Builder image(String image) {
            this.image = image;
            return this;
        }

        public Builder imagePullPolicy(String imagePullPolicy) {
            this.imagePullPolicy = imagePullPolicy;
            return this;
        }

        public Builder nativeSidecar(boolean nativeSidecar) {
            this.nativeSidecar = nativeSidecar;
            return this;
        }

        public Builder moduleServiceUrl(String moduleServiceUrl) {
            this.moduleServiceUrl =
                    moduleServiceUrl == null || moduleServiceUrl.isBlank()
                            ? null
                            : moduleServiceUrl;
            return this;
        }

        /**
         * PEM text of the CA certificate(s) sidecars trust for the module service; several
         * certificates (old and new CA during a rotation) are fine. Null or blank: none.
         */
        public Builder moduleServiceCa(String pem) {
            this.moduleServiceCa = pem == null || pem.isBlank() ? null : pem.strip() + "\n";
            return this;
        }

        /** Reads {@link #moduleServiceCa(String)} from a PEM file; null: none. */
        public Builder moduleServiceCaFile(Path file) {
            if (file == null) {
                return moduleServiceCa(null);
            }
            try {
                return moduleServiceCa(Files.readString(file, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read the module service CA file " + file + ": " + e, e);
            }
        }

        public Builder injectorVersion(String injectorVersion) {
            this.injectorVersion = injectorVersion;
            return this;
        }

        public Builder logLevel(String logLevel) {
            this.logLevel = logLevel;
            return this;
        }

        public Builder cpuRequest(String quantity) {
            this.cpuRequest = optionalQuantity(quantity);
            return this;
        }

        public Builder cpuLimit(String quantity) {
            this.cpuLimit = optionalQuantity(quantity);
            return this;
        }

        public Builder memoryRequest(String quantity) {
            this.memoryRequest = optionalQuantity(quantity);
            return this;
        }

        public Builder memoryLimit(String quantity) {
            this.memoryLimit = optionalQuantity(quantity);
            return this;
        }

        public Builder runAsUser(long runAsUser) {
            this.runAsUser = runAsUser;
            return this;
        }

        public Builder tokenExpirationSeconds(long tokenExpirationSeconds) {
            this.tokenExpirationSeconds = tokenExpirationSeconds;
            return this;
        }

        /**
         * The sidecar's HTTP server limits, passed as its flags of the same names; null or blank
         * leaves the sidecar's default. Durations are Go durations ({@code 90s}), sizes bytes or
         * binary quantities ({@code 64Mi}).
         */
        public Builder serverLimits(
                String idleTimeout,
                String headerTimeout,
                String maxHeaderBytes,
                String requestBytesInFlight) {
            serverLimitArgs.clear();
            limitArg("--idle-timeout", idleTimeout, GO_DURATION);
            limitArg("--header-timeout", headerTimeout, GO_DURATION);
            limitArg("--max-header-bytes", maxHeaderBytes, PLAIN_BYTES);
            limitArg("--request-bytes-in-flight", requestBytesInFlight, BINARY_BYTES);
            return this;
        }

        private void limitArg(String flag, String value, java.util.regex.Pattern pattern) {
            if (value == null || value.isBlank()) {
                return;
            }
            String v = value.strip();
            if (!pattern.matcher(v).matches()) {
                throw new IllegalArgumentException(
                        "--sidecar"
                                + flag.substring(1)
                                + " '"
                                + v
                                + "' is not valid for the sidecar");
            }
            serverLimitArgs.add(flag);
            serverLimitArgs.add(v);
        }

        public SidecarConfig build() {
            if (!PodSettings.LOG_LEVELS.contains(logLevel)) {
                throw new IllegalArgumentException(
                        "log level '" + logLevel + "' is not one of " + PodSettings.LOG_LEVELS);
            }
            if (!PULL_POLICIES.contains(imagePullPolicy)) {
                throw new IllegalArgumentException(
                        "image pull policy '"
                                + imagePullPolicy
                                + "' is not one of "
                                + PULL_POLICIES);
            }
            if (runAsUser <= 0) {
                // runAsNonRoot rejects UID 0 at container start: fail here instead.
                throw new IllegalArgumentException("the sidecar's UID must be above 0");
            }
            if (tokenExpirationSeconds < 600) {
                // The API server refuses projected tokens shorter than 10 minutes.
                throw new IllegalArgumentException(
                        "the token expiration must be at least 600 seconds");
            }
            if (moduleServiceCa != null) {
                if (moduleServiceUrl == null) {
                    throw new IllegalArgumentException(
                            "a module service CA is set but no module service URL; give both or"
                                    + " neither");
                }
                checkCertificates(moduleServiceCa);
            }
            return new SidecarConfig(this);
        }

        private static void checkCertificates(String pem) {
            // Fail at start, not in every sidecar: the text must hold PEM X.509 certificates.
            String problem;
            try {
                problem =
                        pem.contains("-----BEGIN CERTIFICATE-----")
                                        && !PemPair.certificates(pem).isEmpty()
                                ? null
                                : "it holds no -----BEGIN CERTIFICATE----- block";
            } catch (InvalidKeyMaterialException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                throw new IllegalArgumentException(
                        "the module service CA is not a PEM certificate: " + problem);
            }
        }

        private static Quantity optionalQuantity(String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            if (!PodSettings.isValidQuantity(value)) {
                throw new IllegalArgumentException("'" + value + "' is not a Kubernetes quantity");
            }
            return new Quantity(value);
        }
    }
}
