package dev.wasmbind.operator;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.command.Command;
import dev.wasmbind.command.Flag;
import dev.wasmbind.command.FlagType;
import dev.wasmbind.command.FlagValues;
import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.LogOptions;
import dev.wasmbind.command.Logging;
import dev.wasmbind.command.ManifestVersion;
import dev.wasmbind.command.UsageException;
import dev.wasmbind.operator.guard.Cidr;
import dev.wasmbind.operator.guard.NetworkGuard;
import dev.wasmbind.operator.http.HealthServer;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar wasmbind-operator.jar}: connects with the current kubeconfig or the in-cluster
 * service account (fabric8's defaults), reconciles WasmBindings and serves health and metrics.
 * Every flag not given is read from {@code WASMBIND_<FLAG>}, then {@link
 * OperatorSettings#defaults()}.
 */
public final class OperatorCommand {

    private static final String SERVICE_ACCOUNT_NAMESPACE =
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private static final OperatorSettings DEFAULTS = OperatorSettings.defaults();

    /** Go/Kubernetes durations ({@code 10s}, {@code 1m30s}). */
    private static final FlagType<Duration> DURATION = FlagType.of("DURATION", GoDuration::parse);

    /** Kubernetes quantities ({@code 64Mi}, {@code 1G}), as bytes. */
    private static final FlagType<Long> QUANTITY =
            FlagType.of("QUANTITY", OperatorCommand::quantityBytes);

    private static final FlagType<List<String>> NAMES = FlagType.commaSeparated(FlagType.TEXT);
    private static final FlagType<List<Cidr>> CIDRS =
            FlagType.commaSeparated(FlagType.of("CIDR", Cidr::parse));

    static final Flag<List<String>> NAMESPACES =
            Flag.builder("--namespaces", NAMES)
                    .label("A,B")
                    .description("Namespaces to watch, comma-separated (default: all).")
                    .build();
    static final Flag<Path> CACHE_DIR =
            Flag.builder("--cache-dir", FlagType.PATH)
                    .label("DIR")
                    .description("Module cache folder.")
                    .defaultValue(DEFAULTS.cacheDir().toString())
                    .build();
    static final Flag<Boolean> ALLOW_FILE_URLS =
            Flag.builder("--allow-file-urls", FlagType.BOOLEAN)
                    .description(
                            "Fetch file:///abs/path URLs from the operator's filesystem (off:"
                                    + " refuse them).")
                    .defaultValue(String.valueOf(DEFAULTS.allowFileUrls()))
                    .build();
    static final Flag<List<String>> ALLOW_HOSTS =
            Flag.builder("--allow-hosts", NAMES)
                    .label("HOST,...")
                    .description(
                            "Hosts (name or *.suffix) fetched even if they resolve to"
                                    + " loopback/link-local/metadata addresses.")
                    .build();
    static final Flag<List<String>> DENY_HOSTS =
            Flag.builder("--deny-hosts", NAMES)
                    .label("HOST,...")
                    .description("Hosts never fetched from.")
                    .build();
    static final Flag<List<Cidr>> ALLOW_CIDRS =
            Flag.builder("--allow-cidrs", CIDRS)
                    .description(
                            "Address ranges fetched even if refused by default, e.g."
                                    + " 127.0.0.1/32.")
                    .build();
    static final Flag<List<Cidr>> DENY_CIDRS =
            Flag.builder("--deny-cidrs", CIDRS)
                    .description("Address ranges never fetched from, e.g. 10.0.0.0/8.")
                    .build();
    static final Flag<List<String>> INSECURE_REGISTRIES =
            Flag.builder("--insecure-registries", NAMES)
                    .label("HOST:PORT,...")
                    .description("OCI registries spoken to over plain HTTP.")
                    .build();
    static final Flag<Long> CACHE_MAX_SIZE =
            Flag.builder("--cache-max-size", QUANTITY)
                    .description(
                            "Cap on the module cache; beyond it unreferenced modules are evicted,"
                                    + " least recently used first (0: no cap).")
                    .defaultValue(quantityText(DEFAULTS.cacheMaxBytes()))
                    .build();
    static final Flag<Long> MAX_MODULE_SIZE =
            Flag.builder("--max-module-size", QUANTITY)
                    .description("Largest module fetched.")
                    .defaultValue(quantityText(DEFAULTS.maxModuleBytes()))
                    .build();
    static final Flag<Duration> FETCH_TIMEOUT =
            Flag.builder("--fetch-timeout", DURATION)
                    .description("Time allowed for the response headers and again for the body.")
                    .defaultValue(GoDuration.format(DEFAULTS.fetchTimeout()))
                    .build();
    static final Flag<Duration> CONNECT_TIMEOUT =
            Flag.builder("--connect-timeout", DURATION)
                    .description("Time allowed to connect.")
                    .defaultValue(GoDuration.format(DEFAULTS.connectTimeout()))
                    .build();
    static final Flag<Integer> MAX_REDIRECTS =
            Flag.builder("--max-redirects", FlagType.INTEGER)
                    .description("Redirects followed per fetch.")
                    .defaultValue(String.valueOf(DEFAULTS.maxRedirects()))
                    .build();
    static final Flag<Duration> MIN_REFRESH_INTERVAL =
            Flag.builder("--min-refresh-interval", DURATION)
                    .description("Shortest spec.refreshInterval accepted.")
                    .defaultValue(GoDuration.format(DEFAULTS.minRefreshInterval()))
                    .build();
    static final Flag<Duration> RETRY_INITIAL =
            Flag.builder("--retry-initial", DURATION)
                    .description("First retry delay after a failed fetch; doubles each time.")
                    .defaultValue(GoDuration.format(DEFAULTS.retryInitial()))
                    .build();
    static final Flag<Duration> RETRY_MAX =
            Flag.builder("--retry-max", DURATION)
                    .description("Longest retry delay.")
                    .defaultValue(GoDuration.format(DEFAULTS.retryMax()))
                    .build();
    static final Flag<Duration> GC_INTERVAL =
            Flag.builder("--gc-interval", DURATION)
                    .description("How often the cache is garbage-collected.")
                    .defaultValue(GoDuration.format(DEFAULTS.gcInterval()))
                    .build();
    static final Flag<Duration> GC_GRACE =
            Flag.builder("--gc-grace", DURATION)
                    .description("How long a module stays after no binding references it.")
                    .defaultValue(GoDuration.format(DEFAULTS.gcGrace()))
                    .build();
    static final Flag<Integer> RECONCILE_THREADS =
            Flag.builder("--reconcile-threads", FlagType.INTEGER)
                    .description("Bindings reconciled at once.")
                    .defaultValue(String.valueOf(DEFAULTS.reconcileThreads()))
                    .build();
    static final Flag<Integer> PORT =
            Flag.builder("--port", FlagType.INTEGER)
                    .label("PORT")
                    .description("Port of /healthz, /readyz and /metrics.")
                    .defaultValue(String.valueOf(DEFAULTS.port()))
                    .build();
    static final Flag<String> BIND_ADDRESS =
            Flag.builder("--bind-address", FlagType.TEXT)
                    .label("ADDRESS")
                    .description("Address the health/metrics server listens on.")
                    .defaultValue(DEFAULTS.bindAddress())
                    .build();
    static final Flag<Boolean> LEADER_ELECTION =
            Flag.builder("--leader-election", FlagType.BOOLEAN)
                    .description(
                            "Elect one active replica through a Lease (needs a namespace, see"
                                    + " --leader-election-namespace).")
                    .defaultValue(String.valueOf(DEFAULTS.leaderElection()))
                    .negatable()
                    .build();
    static final Flag<String> LEADER_ELECTION_NAMESPACE =
            Flag.builder("--leader-election-namespace", FlagType.TEXT)
                    .label("NAMESPACE")
                    .description(
                            "Namespace of the Lease (default: the pod's namespace; outside a"
                                    + " cluster leader election is off unless set).")
                    .build();
    static final Flag<String> LEASE_NAME =
            Flag.builder("--lease-name", FlagType.TEXT)
                    .label("NAME")
                    .description("Name of the Lease.")
                    .defaultValue(DEFAULTS.leaseName())
                    .build();
    static final Flag<Boolean> SERVER_SIDE_APPLY =
            Flag.builder("--server-side-apply", FlagType.BOOLEAN)
                    .description("Patch status with server-side apply.")
                    .defaultValue(String.valueOf(DEFAULTS.serverSideApply()))
                    .negatable()
                    .build();
    static final Flag<LogFormat> LOG_FORMAT =
            Flag.builder("--log-format", LogOptions.FORMAT)
                    .description("text, or json (one JSON object per line).")
                    .defaultValue(DEFAULTS.logFormat().name())
                    .build();
    static final Flag<LogLevel> LOG_LEVEL =
            Flag.builder("--log-level", LogOptions.LEVEL)
                    .description("error, warn, info, debug or trace, in any case.")
                    .defaultValue(DEFAULTS.logLevel().name())
                    .build();
    static final Flag<Path> MODULE_SERVICE_CERT =
            Flag.builder("--module-service-cert", FlagType.PATH)
                    .label("FILE")
                    .description(
                            "PEM certificate of the module service that injected sidecars sync"
                                    + " from; with --module-service-key it turns the service on"
                                    + " (reread when it changes).")
                    .build();
    static final Flag<Path> MODULE_SERVICE_KEY =
            Flag.builder("--module-service-key", FlagType.PATH)
                    .label("FILE")
                    .description("PEM private key of --module-service-cert.")
                    .build();
    static final Flag<Integer> MODULE_SERVICE_PORT =
            Flag.builder("--module-service-port", FlagType.INTEGER)
                    .label("PORT")
                    .description("HTTPS port of the module service, on all addresses.")
                    .defaultValue(String.valueOf(ModuleServiceSettings.DEFAULT_PORT))
                    .build();

    static final Command COMMAND =
            Command.builder("wasmbind-operator")
                    .description("Reconciles WasmBindings: fetch, validate, cache, status.")
                    .version(ManifestVersion.of(OperatorCommand.class))
                    .environmentPrefix("WASMBIND_")
                    .flags(
                            NAMESPACES,
                            CACHE_DIR,
                            ALLOW_FILE_URLS,
                            ALLOW_HOSTS,
                            DENY_HOSTS,
                            ALLOW_CIDRS,
                            DENY_CIDRS,
                            INSECURE_REGISTRIES,
                            CACHE_MAX_SIZE,
                            MAX_MODULE_SIZE,
                            FETCH_TIMEOUT,
                            CONNECT_TIMEOUT,
                            MAX_REDIRECTS,
                            MIN_REFRESH_INTERVAL,
                            RETRY_INITIAL,
                            RETRY_MAX,
                            GC_INTERVAL,
                            GC_GRACE,
                            RECONCILE_THREADS,
                            PORT,
                            BIND_ADDRESS,
                            LEADER_ELECTION,
                            LEADER_ELECTION_NAMESPACE,
                            LEASE_NAME,
                            SERVER_SIDE_APPLY,
                            LOG_FORMAT,
                            LOG_LEVEL,
                            MODULE_SERVICE_CERT,
                            MODULE_SERVICE_KEY,
                            MODULE_SERVICE_PORT)
                    .build();

    private OperatorCommand() {}

    public static void main(String[] args) {
        System.exit(COMMAND.execute(args, System.out, System.err, OperatorCommand::run));
    }

    /** Starts the operator and waits until the JVM is stopped. */
    static int run(FlagValues flags) throws Exception {
        OperatorSettings settings;
        try {
            settings = settings(flags);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        Logging.configure(settings.logLevel(), settings.logFormat());
        // JOSDK logs every retry of a failed fetch at WARN with a stack trace; the reconciler
        // already logs it in one line and reports it in status and a Warning event.
        Logging.quiet(
                "io.javaoperatorsdk.operator.processing.event.EventProcessor", LogLevel.error);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        KubernetesClient client = new KubernetesClientBuilder().build();
        Optional<String> leaseNamespace = leaseNamespace(settings);
        WasmBindOperator.Builder builder =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withSettings(settings)
                        .withMeterRegistry(registry);
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OperatorCommand.class);
        if (settings.leaderElection() && leaseNamespace.isPresent()) {
            builder.withLeaderElection(
                    new LeaderElectionConfiguration(settings.leaseName(), leaseNamespace.get()));
            log.info("leader election on: Lease {}/{}", leaseNamespace.get(), settings.leaseName());
        } else if (settings.leaderElection()) {
            log.warn(
                    "leader election off: not in a cluster and no --leader-election-namespace;"
                            + " run a single replica");
        }
        log.info(
                "cache {}, guard {}, file URLs {}",
                settings.cacheDir(),
                settings.guard(),
                settings.allowFileUrls() ? "allowed" : "refused");
        WasmBindOperator operator = builder.build();
        HealthServer health =
                HealthServer.start(
                        settings.bindAddress(),
                        settings.port(),
                        registry,
                        operator::isHealthy,
                        operator::isReady);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    operator.close();
                                    health.close();
                                    client.close();
                                    stopped.countDown();
                                },
                                "shutdown"));
        operator.start();
        log.info("health and metrics on {}:{}", settings.bindAddress(), health.port());
        operator.moduleServicePort()
                .ifPresentOrElse(
                        p -> log.info("module service on https://0.0.0.0:{}", p),
                        () ->
                                log.warn(
                                        "module service off (no --module-service-cert):"
                                                + " injected sidecars cannot sync modules"));
        stopped.await();
        return Command.EXIT_OK;
    }

    /** The module service's flags: on with a certificate and a key, off without either. */
    private static ModuleServiceSettings moduleService(FlagValues flags) {
        Path cert = flags.get(MODULE_SERVICE_CERT);
        Path key = flags.get(MODULE_SERVICE_KEY);
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new IllegalArgumentException(
                    "give both --module-service-cert and --module-service-key, or neither");
        }
        return ModuleServiceSettings.of(cert, key).withPort(flags.get(MODULE_SERVICE_PORT));
    }

    /**
     * The flags as settings; throws {@link IllegalArgumentException} for values that do not fit.
     */
    static OperatorSettings settings(FlagValues flags) {
        return DEFAULTS.withNamespaces(Set.copyOf(flags.get(NAMESPACES)))
                .withCacheDir(flags.get(CACHE_DIR))
                .withAllowFileUrls(flags.get(ALLOW_FILE_URLS))
                .withGuard(
                        NetworkGuard.builder()
                                .allowHosts(flags.get(ALLOW_HOSTS))
                                .denyHosts(flags.get(DENY_HOSTS))
                                .allowCidrs(flags.get(ALLOW_CIDRS))
                                .denyCidrs(flags.get(DENY_CIDRS))
                                .build())
                .withInsecureRegistries(Set.copyOf(flags.get(INSECURE_REGISTRIES)))
                .withMaxModuleBytes(flags.get(MAX_MODULE_SIZE))
                .withCacheMaxBytes(flags.get(CACHE_MAX_SIZE))
                .withFetchTimeout(flags.get(FETCH_TIMEOUT))
                .withConnectTimeout(flags.get(CONNECT_TIMEOUT))
                .withMaxRedirects(flags.get(MAX_REDIRECTS))
                .withMinRefreshInterval(flags.get(MIN_REFRESH_INTERVAL))
                .withRetryInitial(flags.get(RETRY_INITIAL))
                .withRetryMax(flags.get(RETRY_MAX))
                .withGcInterval(flags.get(GC_INTERVAL))
                .withGcGrace(flags.get(GC_GRACE))
                .withReconcileThreads(flags.get(RECONCILE_THREADS))
                .withPort(flags.get(PORT))
                .withBindAddress(flags.get(BIND_ADDRESS))
                .withServerSideApply(flags.get(SERVER_SIDE_APPLY))
                .withLeaderElection(flags.get(LEADER_ELECTION))
                .withLeaderElectionNamespace(flags.get(LEADER_ELECTION_NAMESPACE))
                .withLeaseName(flags.get(LEASE_NAME))
                .withLogLevel(flags.get(LOG_LEVEL))
                .withLogFormat(flags.get(LOG_FORMAT))
                .withModuleService(moduleService(flags));
    }

    private static Optional<String> leaseNamespace(OperatorSettings settings)
            throws java.io.IOException {
        if (settings.leaseNamespace().isPresent()) {
            return settings.leaseNamespace();
        }
        Path serviceAccount = Path.of(SERVICE_ACCOUNT_NAMESPACE);
        if (Files.isReadable(serviceAccount)) {
            return Optional.of(Files.readString(serviceAccount).strip());
        }
        return Optional.empty();
    }

    private static long quantityBytes(String text) {
        try {
            return Quantity.getAmountInBytes(new Quantity(text)).longValueExact();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a quantity", e);
        }
    }

    /** Bytes as a binary-suffixed quantity when exact: 67108864 → 64Mi. */
    private static String quantityText(long bytes) {
        String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti"};
        int i = 0;
        while (i < suffixes.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            i++;
        }
        return bytes + suffixes[i];
    }
}
