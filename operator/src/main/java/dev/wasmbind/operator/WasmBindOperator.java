package dev.wasmbind.operator;

import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.source.ModuleSources;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.cache.CacheCollector;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.health.ReconcileWatchdog;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.moduleservice.BindingViews;
import dev.wasmbind.operator.moduleservice.KubernetesTokenReviewer;
import dev.wasmbind.operator.moduleservice.ModuleService;
import dev.wasmbind.operator.reconciler.BindingObserver;
import dev.wasmbind.operator.reconciler.BindingStatusWriter;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator, assembled: JOSDK with the WasmBinding reconciler, the module cache and its garbage
 * collector. {@link OperatorCommand} builds one from flags; tests and the benchmark build one
 * directly.
 */
public final class WasmBindOperator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WasmBindOperator.class);

    private final Operator operator;
    private final ModuleCache cache;
    private final ScheduledExecutorService scheduler;
    private final CacheCollector collector;
    private final Duration gcInterval;
    private final ModuleService moduleService;
    private final ReconcileWatchdog watchdog;
    private final Duration stuckAfter;

    private WasmBindOperator(Builder b) throws IOException {
        Objects.requireNonNull(b.client, "client");
        OperatorSettings settings = b.settings;
        this.cache = new ModuleCache(settings.cacheDir(), b.clock, settings.cacheMaxBytes());
        FetchPolicy.Builder policy =
                FetchPolicy.builder()
                        .withGuard(settings.guard())
                        .withConnectTimeout(settings.connectTimeout())
                        .withRequestTimeout(settings.fetchTimeout())
                        .withTotalTimeout(settings.totalFetchTimeout())
                        .withMaxRedirects(settings.maxRedirects())
                        .withSslContext(b.sslContext)
                        .withInsecureRegistries(settings.insecureRegistries())
                        .withMaxModuleBytes(settings.maxModuleBytes());
        if (settings.allowFileUrls()) {
            policy.withFileBase(Path.of("/"));
        }
        ModuleFetcher fetcher = ModuleSources.fetcher(policy.build());
        OperatorMetrics metrics = new OperatorMetrics(b.meterRegistry, cache);
        PullSecrets pullSecrets = new PullSecrets(b.client);
        this.watchdog = new ReconcileWatchdog(b.clock);
        // Every step of a reconcile has a deadline; twice the longest is wedged.
        Duration longestFetch = settings.totalFetchTimeout().plus(settings.connectTimeout());
        this.stuckAfter = longestFetch.multipliedBy(2);
        EventRecorder events =
                b.events != null ? b.events : new KubernetesEventRecorder(b.client, b.clock);
        WasmBindingReconciler reconciler =
                WasmBindingReconciler.builder()
                        .withSpecValidator(
                                new SpecValidator(
                                        settings.allowFileUrls(), settings.minRefreshInterval()))
                        .withObserver(
                                new BindingObserver(
                                        fetcher,
                                        ModuleValidator.builder()
                                                .withMaxModuleBytes(settings.maxModuleBytes())
                                                .build(),
                                        cache,
                                        pullSecrets,
                                        metrics,
                                        // A joined fetch is over by then, or wedged.
                                        longestFetch))
                        .withStatusWriter(new BindingStatusWriter(events, b.clock))
                        .withCache(cache)
                        .withMetrics(metrics)
                        .withRetry(FetchRetry.of(settings.retryInitial(), settings.retryMax()))
                        .withWatchdog(watchdog)
                        .build();
        this.operator =
                new Operator(
                        o -> {
                            o.withKubernetesClient(b.client)
                                    .withCloseClientOnStop(false)
                                    .withUseSSAToPatchPrimaryResource(settings.serverSideApply())
                                    .withConcurrentReconciliationThreads(
                                            settings.reconcileThreads())
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
                    if (!settings.namespaces().isEmpty()) {
                        o.settingNamespaces(settings.namespaces());
                    }
                });
        this.collector =
                new CacheCollector(
                        CacheCollector.listing(b.client, settings.namespaces()),
                        cache,
                        settings.gcGrace(),
                        // Retry state lives in JOSDK, which drops it when a binding is deleted.
                        uids -> {});
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread thread = new Thread(r, "cache-gc");
                            thread.setDaemon(true);
                            return thread;
                        });
        this.gcInterval = settings.gcInterval();
        // Every replica serves modules, not only the leader: followers fetch what they lack.
        this.moduleService =
                settings.moduleServiceSettings()
                        .map(
                                m ->
                                        ModuleService.builder()
                                                .withHost(m.host())
                                                .withPort(m.port())
                                                .withCertificate(m.certificate(), m.key())
                                                .withCache(cache)
                                                .withBindings(
                                                        BindingViews.inform(
                                                                b.client, settings.namespaces()))
                                                .withTokenReviewer(
                                                        new KubernetesTokenReviewer(b.client))
                                                .withSourceFetcher(fetcher, pullSecrets::read)
                                                .withMeterRegistry(b.meterRegistry)
                                                .withClock(b.clock)
                                                .build())
                        .orElse(null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public WasmBindOperator start() throws IOException {
        if (moduleService != null) {
            moduleService.start();
        }
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

    /** The module service's port, when it is served. */
    public Optional<Integer> moduleServicePort() {
        return Optional.ofNullable(moduleService).map(ModuleService::port);
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
        if (moduleService != null) {
            moduleService.close();
        }
    }

    /** The settings plus what a process (or a test) wires in: client, clock, events, metrics. */
    public static final class Builder {
        private KubernetesClient client;
        private OperatorSettings settings = OperatorSettings.defaults();
        private Optional<LeaderElectionConfiguration> leaderElection = Optional.empty();
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private Clock clock = Clock.systemUTC();
        private SSLContext sslContext;
        private EventRecorder events;

        private Builder() {}

        public Builder withClient(KubernetesClient client) {
            this.client = client;
            return this;
        }

        public Builder withSettings(OperatorSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The Lease to elect a leader through; none (the default) reconciles at once. */
        public Builder withLeaderElection(LeaderElectionConfiguration leaderElection) {
            this.leaderElection = Optional.ofNullable(leaderElection);
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
