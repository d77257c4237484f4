package dev.wasmbind.operator;

import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.operator.guard.NetworkGuard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Everything the operator is started with; defaults in {@link #defaults()} only (the fetch ones are
 * {@link FetchPolicy}'s). {@link OperatorCommand} maps flags onto it; tests start from {@link
 * #defaults()} and change what they need.
 *
 * @param namespaces namespaces to watch; empty watches all
 * @param cacheDir the module cache folder
 * @param allowFileUrls fetch file:///abs/path URLs from the operator's filesystem
 * @param guard outbound fetch policy; production uses a {@link NetworkGuard}
 * @param insecureRegistries OCI registries spoken to over plain HTTP
 * @param maxModuleBytes largest module fetched
 * @param fetchTimeout time for the response headers and again for the body
 * @param connectTimeout time to connect
 * @param maxRedirects redirects followed per fetch
 * @param minRefreshInterval shortest spec.refreshInterval accepted
 * @param retryInitial first retry delay after a failed fetch (JOSDK waits it twice, then doubles)
 * @param retryMax longest retry delay
 * @param gcInterval how often the cache is garbage-collected
 * @param gcGrace how long a module stays after no binding references it
 * @param reconcileThreads bindings reconciled at once
 * @param port port of /healthz, /readyz and /metrics
 * @param bindAddress address the health/metrics server listens on
 * @param serverSideApply patch status with server-side apply (off for fabric8's mock server)
 * @param leaderElection elect one active replica through a Lease
 * @param leaderElectionNamespace namespace of the Lease; null: the pod's namespace
 * @param leaseName name of the Lease
 * @param logLevel the operator's log level
 * @param logFormat text or json
 * @param moduleService the module service sidecars sync from; null when not served
 * @param cacheMaxBytes cap on the module cache (0: none); unreferenced modules are evicted LRU
 * @param totalFetchTimeout time for a whole fetch: every hop (redirects, token realm) and the body
 */
public record OperatorSettings(
        Set<String> namespaces,
        Path cacheDir,
        boolean allowFileUrls,
        AddressGuard guard,
        Set<String> insecureRegistries,
        long maxModuleBytes,
        Duration fetchTimeout,
        Duration connectTimeout,
        int maxRedirects,
        Duration minRefreshInterval,
        Duration retryInitial,
        Duration retryMax,
        Duration gcInterval,
        Duration gcGrace,
        int reconcileThreads,
        int port,
        String bindAddress,
        boolean serverSideApply,
        boolean leaderElection,
        String leaderElectionNamespace,
        String leaseName,
        LogLevel logLevel,
        LogFormat logFormat,
        ModuleServiceSettings moduleService,
        long cacheMaxBytes,
        Duration totalFetchTimeout) {

    public OperatorSettings {
        namespaces = Set.copyOf(namespaces);
        insecureRegistries = Set.copyOf(insecureRegistries);
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(leaseName, "leaseName");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        for (Duration d :
                new Duration[] {fetchTimeout, connectTimeout, retryInitial, retryMax, gcInterval}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive, not " + d);
            }
        }
        if (minRefreshInterval.isNegative() || gcGrace.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (cacheMaxBytes < 0) {
            throw new IllegalArgumentException("--cache-max-size must not be negative");
        }
        if (totalFetchTimeout.isNegative() || totalFetchTimeout.isZero()) {
            throw new IllegalArgumentException("the total fetch timeout must be positive");
        }
        if (reconcileThreads < 1) {
            throw new IllegalArgumentException("--reconcile-threads must be at least 1");
        }
    }

    /** Safe defaults: loopback, link-local and metadata addresses refused, file URLs refused. */
    public static OperatorSettings defaults() {
        return new OperatorSettings(
                Set.of(),
                Path.of("/var/cache/wasmbind"),
                false,
                NetworkGuard.builder().build(),
                Set.of(),
                ModuleFetcher.DEFAULT_MAX_MODULE_BYTES,
                FetchPolicy.DEFAULT_REQUEST_TIMEOUT,
                FetchPolicy.DEFAULT_CONNECT_TIMEOUT,
                FetchPolicy.DEFAULT_MAX_REDIRECTS,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(10),
                Duration.ofHours(1),
                50,
                8080,
                "0.0.0.0",
                true,
                true,
                null,
                "wasmbind-operator",
                LogLevel.info,
                LogFormat.text,
                null,
                0,
                FetchPolicy.DEFAULT_TOTAL_TIMEOUT);
    }

    /** The module service, when it is served. */
    public Optional<ModuleServiceSettings> moduleServiceSettings() {
        return Optional.ofNullable(moduleService);
    }

    public OperatorSettings withModuleService(ModuleServiceSettings moduleService) {
        return change(b -> b.moduleService = moduleService);
    }

    /** The Lease's namespace when given on the command line. */
    public Optional<String> leaseNamespace() {
        return Optional.ofNullable(leaderElectionNamespace).filter(s -> !s.isBlank());
    }

    public OperatorSettings withNamespaces(Set<String> namespaces) {
        return change(b -> b.namespaces = namespaces);
    }

    public OperatorSettings withCacheDir(Path cacheDir) {
        return change(b -> b.cacheDir = cacheDir);
    }

    public OperatorSettings withAllowFileUrls(boolean allowFileUrls) {
        return change(b -> b.allowFileUrls = allowFileUrls);
    }

    public OperatorSettings withGuard(AddressGuard guard) {
        return change(b -> b.guard = guard);
    }

    public OperatorSettings withInsecureRegistries(Set<String> insecureRegistries) {
        return change(b -> b.insecureRegistries = insecureRegistries);
    }

    public OperatorSettings withMaxModuleBytes(long maxModuleBytes) {
        return change(b -> b.maxModuleBytes = maxModuleBytes);
    }

    public OperatorSettings withFetchTimeout(Duration fetchTimeout) {
        return change(b -> b.fetchTimeout = fetchTimeout);
    }

    public OperatorSettings withConnectTimeout(Duration connectTimeout) {
        return change(b -> b.connectTimeout = connectTimeout);
    }

    public OperatorSettings withMaxRedirects(int maxRedirects) {
        return change(b -> b.maxRedirects = maxRedirects);
    }

    public OperatorSettings withMinRefreshInterval(Duration minRefreshInterval) {
        return change(b -> b.minRefreshInterval = minRefreshInterval);
    }

    public OperatorSettings withRetryInitial(Duration retryInitial) {
        return change(b -> b.retryInitial = retryInitial);
    }

    public OperatorSettings withRetryMax(Duration retryMax) {
        return change(b -> b.retryMax = retryMax);
    }

    public OperatorSettings withGcInterval(Duration gcInterval) {
        return change(b -> b.gcInterval = gcInterval);
    }

    public OperatorSettings withGcGrace(Duration gcGrace) {
        return change(b -> b.gcGrace = gcGrace);
    }

    public OperatorSettings withReconcileThreads(int reconcileThreads) {
        return change(b -> b.reconcileThreads = reconcileThreads);
    }

    public OperatorSettings withPort(int port) {
        return change(b -> b.port = port);
    }

    public OperatorSettings withBindAddress(String bindAddress) {
        return change(b -> b.bindAddress = bindAddress);
    }

    public OperatorSettings withServerSideApply(boolean serverSideApply) {
        return change(b -> b.serverSideApply = serverSideApply);
    }

    public OperatorSettings withLeaderElection(boolean leaderElection) {
        return change(b -> b.leaderElection = leaderElection);
    }

    public OperatorSettings withLeaderElectionNamespace(String leaderElectionNamespace) {
        return change(b -> b.leaderElectionNamespace = leaderElectionNamespace);
    }

    public OperatorSettings withLeaseName(String leaseName) {
        return change(b -> b.leaseName = leaseName);
    }

    public OperatorSettings withLogLevel(LogLevel logLevel) {
        return change(b -> b.logLevel = logLevel);
    }

    public OperatorSettings withLogFormat(LogFormat logFormat) {
        return change(b -> b.logFormat = logFormat);
    }

    public OperatorSettings withCacheMaxBytes(long cacheMaxBytes) {
        return change(b -> b.cacheMaxBytes = cacheMaxBytes);
    }

    public OperatorSettings withTotalFetchTimeout(Duration totalFetchTimeout) {
        return change(b -> b.totalFetchTimeout = totalFetchTimeout);
    }

    /** A copy with one field changed: the withers above are one line each through it. */
    private OperatorSettings change(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The mutable twin the withers change one field of; built back through the checks above. */
    private static final class Copy {
        private Set<String> namespaces;
        private Path cacheDir;
        private boolean allowFileUrls;
        private AddressGuard guard;
        private Set<String> insecureRegistries;
        private long maxModuleBytes;
        private Duration fetchTimeout;
        private Duration connectTimeout;
        private int maxRedirects;
        private Duration minRefreshInterval;
        private Duration retryInitial;
        private Duration retryMax;
        private Duration gcInterval;
        private Duration gcGrace;
        private int reconcileThreads;
        private int port;
        private String bindAddress;
        private boolean serverSideApply;
        private boolean leaderElection;
        private String leaderElectionNamespace;
        private String leaseName;
        private LogLevel logLevel;
        private LogFormat logFormat;
        private ModuleServiceSettings moduleService;
        private long cacheMaxBytes;
        private Duration totalFetchTimeout;

        private Copy(OperatorSettings settings) {
            namespaces = settings.namespaces;
            cacheDir = settings.cacheDir;
            allowFileUrls = settings.allowFileUrls;
            guard = settings.guard;
            insecureRegistries = settings.insecureRegistries;
            maxModuleBytes = settings.maxModuleBytes;
            fetchTimeout = settings.fetchTimeout;
            connectTimeout = settings.connectTimeout;
            maxRedirects = settings.maxRedirects;
            minRefreshInterval = settings.minRefreshInterval;
            retryInitial = settings.retryInitial;
            retryMax = settings.retryMax;
            gcInterval = settings.gcInterval;
            gcGrace = settings.gcGrace;
            reconcileThreads = settings.reconcileThreads;
            port = settings.port;
            bindAddress = settings.bindAddress;
            serverSideApply = settings.serverSideApply;
            leaderElection = settings.leaderElection;
            leaderElectionNamespace = settings.leaderElectionNamespace;
            leaseName = settings.leaseName;
            logLevel = settings.logLevel;
            logFormat = settings.logFormat;
            moduleService = settings.moduleService;
            cacheMaxBytes = settings.cacheMaxBytes;
            totalFetchTimeout = settings.totalFetchTimeout;
        }

        private OperatorSettings build() {
            return new OperatorSettings(
                    namespaces,
                    cacheDir,
                    allowFileUrls,
                    guard,
                    insecureRegistries,
                    maxModuleBytes,
                    fetchTimeout,
                    connectTimeout,
                    maxRedirects,
                    minRefreshInterval,
                    retryInitial,
                    retryMax,
                    gcInterval,
                    gcGrace,
                    reconcileThreads,
                    port,
                    bindAddress,
                    serverSideApply,
                    leaderElection,
                    leaderElectionNamespace,
                    leaseName,
                    logLevel,
                    logFormat,
                    moduleService,
                    cacheMaxBytes,
                    totalFetchTimeout);
        }
    }
}
