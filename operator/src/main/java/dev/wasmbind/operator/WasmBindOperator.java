package dev.wasmbind.operator;

import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.source.ModuleSources;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.cache.CacheCollector;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.health.ReconcileWatchdog;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.reconciler.FetchRetry;
import dev.wasmbind.operator.reconciler.PullSecrets;
import dev.wasmbind.operator.reconciler.SpecValidator;
import dev.wasmbind.operator.reconciler.WasmBindingReconciler;
import dev.wasmbind.operator.status.EventRecorder;
import dev.wasmbind.operator.status.KubernetesEventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator, assembled: JOSDK with the WasmBinding reconciler, the module cache and its garbage
 * collector. {@link Main} builds one from flags; tests and the benchmark build one directly.
 */
public final class WasmBindOperator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WasmBindOperator.class);

    private final Operator operator;
    private final ModuleCache cache;
    private final ScheduledExecutorService scheduler;
    private final CacheCollector collector;
    private final ReconcileWatchdog watchdog;
    private final Duration stuckAfter;

    private WasmBindOperator(Builder b) throws IOException {
        Objects.requireNonNull(b.client, "client");
        Objects.requireNonNull(b.cacheDir, "cacheDir");
        this.cache = new ModuleCache(b.cacheDir, b.clock, b.cacheMaxBytes);
        FetchPolicy.Builder policy =
                FetchPolicy.builder()
                        .withGuard(b.guard)
                        .withConnectTimeout(b.connectTimeout)
                        .withRequestTimeout(b.fetchTimeout)
                        .withTotalTimeout(b.totalFetchTimeout)
                        .withMaxRedirects(b.maxRedirects)
                        .withSslContext(b.sslContext)
                        .withInsecureRegistries(b.insecureRegistries)
                        .withMaxModuleBytes(b.maxModuleBytes);
        if (b.allowFileUrls) {
            policy.withFileBase(Path.of("/"));
        }
        OperatorMetrics metrics = new OperatorMetrics(b.meterRegistry, cache);
        this.watchdog = new ReconcileWatchdog(b.clock);
        // Every step of a reconcile has a deadline; twice the longest is wedged.
        this.stuckAfter = b.totalFetchTimeout.plus(b.connectTimeout).multipliedBy(2);
        EventRecorder events =
                b.events != null ? b.events : new KubernetesEventRecorder(b.client, b.clock);
        WasmBindingReconciler reconciler =
                WasmBindingReconciler.builder()
                        .withSpecValidator(new SpecValidator(b.allowFileUrls, b.minRefreshInterval))
                        .withFetcher(ModuleSources.fetcher(policy.build()))
                        .withModuleValidator(
                                ModuleValidator.builder()
                                        .withMaxModuleBytes(b.maxModuleBytes)
                                        .build())
                        .withCache(cache)
                        .withPullSecrets(new PullSecrets(b.client))
                        .withEvents(events)
                        .withMetrics(metrics)
                        .withRetry(FetchRetry.of(b.retryInitial, b.retryMax))
                        .withClock(b.clock)
                        // A joined fetch is over by then, or wedged.
                        .withMaxInflightWait(b.totalFetchTimeout.plus(b.connectTimeout))
                        .withWatchdog(watchdog)
                        .build();
        this.operator =
                new Operator(
                        o -> {
                            o.withKubernetesClient(b.client)
                                    .withCloseClientOnStop(false)
                                    .withUseSSAToPatchPrimaryResource(b.useSsa)
                                    .withConcurrentReconciliationThreads(b.reconcileThreads)
                                    .withMetrics(
                                            MicrometerMetrics.newMicrometerMetricsBuilder(
                                                            b.meterRegistry)
                                                    .notCollectingMetricsPerResource()
                                                    .build());
                            b.leaderElection.ifPresent(o::withLeaderElectionConfiguration);
                        });
        operator.register(
                reconciler,
                o -> {
                    o.withRetry(reconciler.retry());
                    if (!b.namespaces.isEmpty()) {
                        o.settingNamespaces(b.namespaces);
                    }
                });
        this.collector =
                new CacheCollector(
                        CacheCollector.listing(b.client, b.namespaces),
                        cache,
                        b.gcGrace,
                        // Retry state lives in JOSDK, which drops it when a binding is deleted.
                        uids -> {});
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread thread = new Thread(r, "cache-gc");
                            thread.setDaemon(true);
                            return thread;
                        });
        this.gcInterval = b.gcInterval;
    }

    private final Duration gcInterval;

    public static Builder builder() {
        return new Builder();
    }

    public WasmBindOperator start() {
        operator.start();
        scheduler.scheduleWithFixedDelay(
                collector, gcInterval.toMillis(), gcInterval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("wasmbind operator started");
        return this;
    }

    /** Reconciling: started, and every informer is healthy. */
    public boolean isReady() {
        return operator.getRuntimeInfo().isStarted()
                && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    /**
     * Alive, for {@code /healthz}: started, every informer running and synced, no reconcile past
     * every deadline it has, and the cache collector scheduled. False restarts the pod.
     */
    public boolean isHealthy() {
        return operator.getRuntimeInfo().isStarted()
                && operator.getRuntimeInfo().allEventSourcesAreHealthy()
                && !watchdog.isStuck(stuckAfter)
                && !scheduler.isShutdown();
    }

    public ModuleCache cache() {
        return cache;
    }

    /** Runs one garbage-collection pass now (the scheduler runs them every gc interval). */
    public void collectGarbage() {
        collector.run();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        operator.stop();
    }

    public static final class Builder {
        private KubernetesClient client;
        private Path cacheDir;
        private long cacheMaxBytes;
        private AddressGuard guard = AddressGuard.ALLOW_ALL;
        private boolean allowFileUrls;
        private Set<String> insecureRegistries = Set.of();
        private long maxModuleBytes = ModuleFetcher.DEFAULT_MAX_MODULE_BYTES;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration fetchTimeout = Duration.ofSeconds(60);
        private Duration totalFetchTimeout = FetchPolicy.DEFAULT_TOTAL_TIMEOUT;
        private int maxRedirects = 5;
        private Duration gcInterval = Duration.ofMinutes(10);
        private Duration gcGrace = Duration.ofHours(1);
        private Duration retryInitial = Duration.ofSeconds(5);
        private Duration retryMax = Duration.ofMinutes(5);
        private Duration minRefreshInterval = Duration.ofSeconds(10);
        private Set<String> namespaces = Set.of();
        private Optional<LeaderElectionConfiguration> leaderElection = Optional.empty();
        private boolean useSsa = true;
        private int reconcileThreads = 50;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private Clock clock = Clock.systemUTC();
        private SSLContext sslContext;
        private EventRecorder events;

        private Builder() {}

        public Builder withClient(KubernetesClient client) {
            this.client = client;
            return this;
        }

        public Builder withCacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /** Size cap of the module cache (0: none); unreferenced modules are evicted LRU. */
        public Builder withCacheMaxBytes(long cacheMaxBytes) {
            this.cacheMaxBytes = cacheMaxBytes;
            return this;
        }

        /** Outbound fetch policy; production passes a {@code NetworkGuard}. */
        public Builder withGuard(AddressGuard guard) {
            this.guard = guard;
            return this;
        }

        public Builder withAllowFileUrls(boolean allowFileUrls) {
            this.allowFileUrls = allowFileUrls;
            return this;
        }

        public Builder withInsecureRegistries(Set<String> insecureRegistries) {
            this.insecureRegistries = Set.copyOf(insecureRegistries);
            return this;
        }

        public Builder withMaxModuleBytes(long maxModuleBytes) {
            this.maxModuleBytes = maxModuleBytes;
            return this;
        }

        public Builder withConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder withFetchTimeout(Duration fetchTimeout) {
            this.fetchTimeout = fetchTimeout;
            return this;
        }

        /** Time for a whole fetch: every hop (redirects, token realm) and the body. */
        public Builder withTotalFetchTimeout(Duration totalFetchTimeout) {
            this.totalFetchTimeout = totalFetchTimeout;
            return this;
        }

        public Builder withMaxRedirects(int maxRedirects) {
            this.maxRedirects = maxRedirects;
            return this;
        }

        public Builder withGcInterval(Duration gcInterval) {
            this.gcInterval = gcInterval;
            return this;
        }

        public Builder withGcGrace(Duration gcGrace) {
            this.gcGrace = gcGrace;
            return this;
        }

        public Builder withRetry(Duration initial, Duration max) {
            this.retryInitial = initial;
            this.retryMax = max;
            return this;
        }

        public Builder withMinRefreshInterval(Duration minRefreshInterval) {
            this.minRefreshInterval = minRefreshInterval;
            return this;
        }

        /** Namespaces to watch; empty watches all. */
        public Builder withNamespaces(Set<String> namespaces) {
            this.namespaces = Set.copyOf(namespaces);
            return this;
        }

        public Builder withLeaderElection(LeaderElectionConfiguration leaderElection) {
            this.leaderElection = Optional.ofNullable(leaderElection);
            return this;
        }

        /**
         * Server-side apply for status patches (the default). Off for fabric8's mock server, which
         * answers 415 to apply patches.
         */
        public Builder withServerSideApply(boolean useSsa) {
            this.useSsa = useSsa;
            return this;
        }

        public Builder withReconcileThreads(int reconcileThreads) {
            this.reconcileThreads = reconcileThreads;
            return this;
        }

        public Builder withMeterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        public Builder withClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Trust material for https:// sources other than the JDK's defaults. */
        public Builder withSslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        /** Where Events go; defaults to core/v1 Events through the client. */
        public Builder withEvents(EventRecorder events) {
            this.events = events;
            return this;
        }

        public WasmBindOperator build() throws IOException {
            return new WasmBindOperator(this);
        }
    }
}
