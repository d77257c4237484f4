package dev.wasmbind.module.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Which schemes a fetcher serves and how it reaches them: the one description both the standalone
 * sidecar and the operator hand to {@link ModuleSources#fetcher}. Defaults live here only.
 */
public final class FetchPolicy {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(3);
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    private final Path fileBase;
    private final AddressGuard guard;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration totalTimeout;
    private final int maxRedirects;
    private final SSLContext sslContext;
    private final Set<String> insecureRegistries;
    private final boolean plainHttpForLoopback;
    private final long maxModuleBytes;

    private FetchPolicy(Builder b) {
        this.fileBase = b.fileBase;
        this.guard = Objects.requireNonNull(b.guard, "guard");
        this.connectTimeout = Objects.requireNonNull(b.connectTimeout, "connectTimeout");
        this.requestTimeout = Objects.requireNonNull(b.requestTimeout, "requestTimeout");
        this.totalTimeout = Objects.requireNonNull(b.totalTimeout, "totalTimeout");
        this.maxRedirects = b.maxRedirects;
        this.sslContext = b.sslContext;
        this.insecureRegistries = Set.copyOf(b.insecureRegistries);
        this.plainHttpForLoopback = b.plainHttpForLoopback;
        this.maxModuleBytes = b.maxModuleBytes;
    }

    /**
     * A laptop: the user is the only tenant, so every address may be fetched; relative {@code
     * file://} URLs resolve against {@code baseDir}; registries on loopback speak plain HTTP.
     */
    public static FetchPolicy standalone(Path baseDir) {
        return builder().withFileBase(baseDir).withPlainHttpForLoopback().build();
    }

    /** No {@code file://}, every address allowed until {@link Builder#withGuard} says otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** The folder {@code file://} URLs resolve against; empty when {@code file://} is refused. */
    public Optional<Path> fileBase() {
        return Optional.ofNullable(fileBase);
    }

    public AddressGuard guard() {
        return guard;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Time for a whole fetch: every hop (redirects, token realm) and the body. */
    public Duration totalTimeout() {
        return totalTimeout;
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    /** Trust material other than the JDK's defaults; empty for the defaults. */
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    public Set<String> insecureRegistries() {
        return insecureRegistries;
    }

    public boolean plainHttpForLoopback() {
        return plainHttpForLoopback;
    }

    public long maxModuleBytes() {
        return maxModuleBytes;
    }

    public static final class Builder {
        private Path fileBase;
        private AddressGuard guard = AddressGuard.ALLOW_ALL;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration totalTimeout = DEFAULT_TOTAL_TIMEOUT;
        private int maxRedirects = DEFAULT_MAX_REDIRECTS;
        private SSLContext sslContext;
        private Set<String> insecureRegistries = Set.of();
        private boolean plainHttpForLoopback;
        private long maxModuleBytes = ModuleFetcher.DEFAULT_MAX_MODULE_BYTES;

        private Builder() {}

        /** Serve {@code file://} URLs, relative ones resolved against {@code base}. */
        public Builder withFileBase(Path base) {
            this.fileBase = base;
            return this;
        }

        public Builder withGuard(AddressGuard guard) {
            this.guard = guard;
            return this;
        }

        public Builder withConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Time to the response headers, and again for reading the body. */
        public Builder withRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Time for a whole fetch: every hop (redirects, token realm) and the body. */
        public Builder withTotalTimeout(Duration totalTimeout) {
            this.totalTimeout = totalTimeout;
            return this;
        }

        public Builder withMaxRedirects(int maxRedirects) {
            this.maxRedirects = maxRedirects;
            return this;
        }

        public Builder withSslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /** OCI registries ({@code host} or {@code host:port}, any case) reached over plain HTTP. */
        public Builder withInsecureRegistries(Set<String> hosts) {
            this.insecureRegistries =
                    hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
            return this;
        }

        /** OCI registries on loopback speak plain HTTP, as Docker assumes. */
        public Builder withPlainHttpForLoopback() {
            this.plainHttpForLoopback = true;
            return this;
        }

        public Builder withMaxModuleBytes(long maxModuleBytes) {
            this.maxModuleBytes = maxModuleBytes;
            return this;
        }

        public FetchPolicy build() {
            return new FetchPolicy(this);
        }
    }
}
