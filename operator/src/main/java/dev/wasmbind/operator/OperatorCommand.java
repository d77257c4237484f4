package dev.wasmbind.operator;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.command.FlagDefaults;
import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.LogOptions;
import dev.wasmbind.command.Logging;
import dev.wasmbind.command.ManifestVersion;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar wasmbind-operator.jar}: connects with the current kubeconfig or the in-cluster
 * service account (fabric8's defaults), reconciles WasmBindings and serves health and metrics.
 * Every flag has a {@code WASMBIND_*} environment variable.
 */
@Command(
        name = "wasmbind-operator",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        defaultValueProvider = OperatorCommand.Defaults.class,
        description = "Reconciles WasmBindings: fetch, validate, cache, status.",
        sortOptions = false)
public final class OperatorCommand implements Callable<Integer> {

    private static final String SERVICE_ACCOUNT_NAMESPACE =
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /** Flag, then {@code WASMBIND_<FLAG>}, then {@link OperatorSettings#defaults()}. */
    static final class Defaults extends FlagDefaults {
        Defaults() {
            super("WASMBIND_", flagDefaults(OperatorSettings.defaults()));
        }

        private static Map<String, String> flagDefaults(OperatorSettings d) {
            return Map.ofEntries(
                    Map.entry("--cache-dir", d.cacheDir().toString()),
                    Map.entry("--allow-file-urls", String.valueOf(d.allowFileUrls())),
                    Map.entry("--max-module-size", quantity(d.maxModuleBytes())),
                    Map.entry("--cache-max-size", quantity(d.cacheMaxBytes())),
                    Map.entry("--fetch-timeout", GoDuration.format(d.fetchTimeout())),
                    Map.entry("--connect-timeout", GoDuration.format(d.connectTimeout())),
                    Map.entry("--max-redirects", String.valueOf(d.maxRedirects())),
                    Map.entry("--min-refresh-interval", GoDuration.format(d.minRefreshInterval())),
                    Map.entry("--retry-initial", GoDuration.format(d.retryInitial())),
                    Map.entry("--retry-max", GoDuration.format(d.retryMax())),
                    Map.entry("--gc-interval", GoDuration.format(d.gcInterval())),
                    Map.entry("--gc-grace", GoDuration.format(d.gcGrace())),
                    Map.entry("--reconcile-threads", String.valueOf(d.reconcileThreads())),
                    Map.entry("--port", String.valueOf(d.port())),
                    Map.entry("--bind-address", d.bindAddress()),
                    Map.entry("--leader-election", String.valueOf(d.leaderElection())),
                    Map.entry("--lease-name", d.leaseName()),
                    Map.entry("--server-side-apply", String.valueOf(d.serverSideApply())),
                    Map.entry("--log-format", d.logFormat().name()),
                    Map.entry("--log-level", d.logLevel().name()),
                    Map.entry(
                            "--module-service-port",
                            String.valueOf(ModuleServiceSettings.DEFAULT_PORT)));
        }

        /** Bytes as a binary-suffixed quantity when exact: 67108864 → 64Mi. */
        private static String quantity(long bytes) {
            String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti"};
            int i = 0;
            while (i < suffixes.length - 1 && bytes != 0 && bytes % 1024 == 0) {
                bytes /= 1024;
                i++;
            }
            return bytes + suffixes[i];
        }
    }

    @Option(
            names = "--namespaces",
            split = ",",
            description =
                    "Namespaces to watch, comma-separated (default: all). Env WASMBIND_NAMESPACES.")
    List<String> namespaces = new java.util.ArrayList<>();

    @Option(
            names = "--cache-dir",
            description =
                    "Module cache folder (default: ${DEFAULT-VALUE}). Env WASMBIND_CACHE_DIR.")
    Path cacheDir;

    @Option(
            names = "--allow-file-urls",
            description =
                    "Fetch file:///abs/path URLs from the operator's filesystem (default: refuse). Env WASMBIND_ALLOW_FILE_URLS.")
    boolean allowFileUrls;

    @Option(
            names = "--allow-hosts",
            split = ",",
            description =
                    "Hosts (name or *.suffix) fetched even if they resolve to loopback/link-local/metadata addresses. Env WASMBIND_ALLOW_HOSTS.")
    List<String> allowHosts = new java.util.ArrayList<>();

    @Option(
            names = "--deny-hosts",
            split = ",",
            description = "Hosts never fetched from. Env WASMBIND_DENY_HOSTS.")
    List<String> denyHosts = new java.util.ArrayList<>();

    @Option(
            names = "--allow-cidrs",
            split = ",",
            description =
                    "Address ranges fetched even if refused by default, e.g. 127.0.0.1/32. Env WASMBIND_ALLOW_CIDRS.")
    List<String> allowCidrs = new java.util.ArrayList<>();

    @Option(
            names = "--deny-cidrs",
            split = ",",
            description =
                    "Address ranges never fetched from, e.g. 10.0.0.0/8. Env WASMBIND_DENY_CIDRS.")
    List<String> denyCidrs = new java.util.ArrayList<>();

    @Option(
            names = "--insecure-registries",
            split = ",",
            description =
                    "OCI registries (host:port) spoken to over plain HTTP. Env WASMBIND_INSECURE_REGISTRIES.")
    List<String> insecureRegistries = new java.util.ArrayList<>();

    @Option(
            names = "--cache-max-size",
            description =
                    "Cap on the module cache, as a quantity; beyond it unreferenced modules are evicted, least recently used first (default: ${DEFAULT-VALUE}, no cap). Env WASMBIND_CACHE_MAX_SIZE.")
    String cacheMaxSize;

    @Option(
            names = "--max-module-size",
            description =
                    "Largest module fetched, as a quantity (default: ${DEFAULT-VALUE}). Env WASMBIND_MAX_MODULE_SIZE.")
    String maxModuleSize;

    @Option(
            names = "--fetch-timeout",
            description =
                    "Time allowed for the response headers and again for the body (default: ${DEFAULT-VALUE}). Env WASMBIND_FETCH_TIMEOUT.")
    String fetchTimeout;

    @Option(
            names = "--connect-timeout",
            description =
                    "Time allowed to connect (default: ${DEFAULT-VALUE}). Env WASMBIND_CONNECT_TIMEOUT.")
    String connectTimeout;

    @Option(
            names = "--max-redirects",
            description =
                    "Redirects followed per fetch (default: ${DEFAULT-VALUE}). Env WASMBIND_MAX_REDIRECTS.")
    int maxRedirects;

    @Option(
            names = "--min-refresh-interval",
            description =
                    "Shortest spec.refreshInterval accepted (default: ${DEFAULT-VALUE}). Env WASMBIND_MIN_REFRESH_INTERVAL.")
    String minRefreshInterval;

    @Option(
            names = "--retry-initial",
            description =
                    "First retry delay after a failed fetch; doubles each time (default: ${DEFAULT-VALUE}). Env WASMBIND_RETRY_INITIAL.")
    String retryInitial;

    @Option(
            names = "--retry-max",
            description =
                    "Longest retry delay (default: ${DEFAULT-VALUE}). Env WASMBIND_RETRY_MAX.")
    String retryMax;

    @Option(
            names = "--gc-interval",
            description =
                    "How often the cache is garbage-collected (default: ${DEFAULT-VALUE}). Env WASMBIND_GC_INTERVAL.")
    String gcInterval;

    @Option(
            names = "--gc-grace",
            description =
                    "How long a module stays after no binding references it (default: ${DEFAULT-VALUE}). Env WASMBIND_GC_GRACE.")
    String gcGrace;

    @Option(
            names = "--reconcile-threads",
            description =
                    "Bindings reconciled at once (default: ${DEFAULT-VALUE}). Env WASMBIND_RECONCILE_THREADS.")
    int reconcileThreads;

    @Option(
            names = "--port",
            description =
                    "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}). Env WASMBIND_PORT.")
    int port;

    @Option(
            names = "--bind-address",
            description =
                    "Address the health/metrics server listens on (default: ${DEFAULT-VALUE}). Env WASMBIND_BIND_ADDRESS.")
    String bindAddress;

    @Option(
            names = "--leader-election",
            negatable = true,
            fallbackValue = "true",
            description =
                    "Elect one active replica through a Lease (default: on; needs a namespace, see below). Env WASMBIND_LEADER_ELECTION.")
    boolean leaderElection;

    @Option(
            names = "--leader-election-namespace",
            description =
                    "Namespace of the Lease (default: the pod's namespace; outside a cluster leader election is off unless set). Env WASMBIND_LEADER_ELECTION_NAMESPACE.")
    String leaderElectionNamespace;

    @Option(
            names = "--lease-name",
            description = "Name of the Lease (default: ${DEFAULT-VALUE}). Env WASMBIND_LEASE_NAME.")
    String leaseName;

    @Option(
            names = "--server-side-apply",
            negatable = true,
            fallbackValue = "true",
            description =
                    "Patch status with server-side apply (default: on). Env WASMBIND_SERVER_SIDE_APPLY.")
    boolean serverSideApply;

    @Option(
            names = "--log-format",
            converter = LogOptions.FormatConverter.class,
            description = "text or json (default: ${DEFAULT-VALUE}). Env WASMBIND_LOG_FORMAT.")
    LogFormat logFormat;

    @Option(
            names = "--log-level",
            description =
                    "error, warn, info, debug or trace, in any case (default: ${DEFAULT-VALUE}). Env WASMBIND_LOG_LEVEL.",
            converter = LogOptions.LevelConverter.class)
    LogLevel logLevel;

    @Option(
            names = "--module-service-cert",
            paramLabel = "FILE",
            description =
                    "PEM certificate of the module service that injected sidecars sync from;"
                            + " with --module-service-key it turns the service on (reread when it"
                            + " changes). Env WASMBIND_MODULE_SERVICE_CERT.")
    Path moduleServiceCert;

    @Option(
            names = "--module-service-key",
            paramLabel = "FILE",
            description =
                    "PEM private key of --module-service-cert. Env WASMBIND_MODULE_SERVICE_KEY.")
    Path moduleServiceKey;

    @Option(
            names = "--module-service-port",
            description =
                    "HTTPS port of the module service, on all addresses (default:"
                            + " ${DEFAULT-VALUE}). Env WASMBIND_MODULE_SERVICE_PORT.")
    int moduleServicePort;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OperatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        OperatorSettings settings = settings();
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
        return 0;
    }

    /** The module service's flags: on with a certificate and a key, off without either. */
    private ModuleServiceSettings moduleService() {
        if (moduleServiceCert == null && moduleServiceKey == null) {
            return null;
        }
        if (moduleServiceCert == null || moduleServiceKey == null) {
            throw new IllegalArgumentException(
                    "give both --module-service-cert and --module-service-key, or neither");
        }
        return ModuleServiceSettings.of(moduleServiceCert, moduleServiceKey)
                .withPort(moduleServicePort);
    }

    /** The flags, parsed and checked; a bad value fails start-up with the flag's name. */
    OperatorSettings settings() {
        return OperatorSettings.defaults()
                .withNamespaces(Set.copyOf(namespaces))
                .withCacheDir(cacheDir)
                .withAllowFileUrls(allowFileUrls)
                .withGuard(
                        NetworkGuard.builder()
                                .allowHosts(allowHosts)
                                .denyHosts(denyHosts)
                                .allowCidrs(allowCidrs.stream().map(Cidr::parse).toList())
                                .denyCidrs(denyCidrs.stream().map(Cidr::parse).toList())
                                .build())
                .withInsecureRegistries(Set.copyOf(insecureRegistries))
                .withMaxModuleBytes(quantity("--max-module-size", maxModuleSize))
                .withCacheMaxBytes(quantity("--cache-max-size", cacheMaxSize))
                .withFetchTimeout(duration("--fetch-timeout", fetchTimeout))
                .withConnectTimeout(duration("--connect-timeout", connectTimeout))
                .withMaxRedirects(maxRedirects)
                .withMinRefreshInterval(duration("--min-refresh-interval", minRefreshInterval))
                .withRetryInitial(duration("--retry-initial", retryInitial))
                .withRetryMax(duration("--retry-max", retryMax))
                .withGcInterval(duration("--gc-interval", gcInterval))
                .withGcGrace(duration("--gc-grace", gcGrace))
                .withReconcileThreads(reconcileThreads)
                .withPort(port)
                .withBindAddress(bindAddress)
                .withServerSideApply(serverSideApply)
                .withLeaderElection(leaderElection)
                .withLeaderElectionNamespace(leaderElectionNamespace)
                .withLeaseName(leaseName)
                .withLogLevel(logLevel)
                .withLogFormat(logFormat)
                .withModuleService(moduleService());
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

    private static Duration duration(String flag, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    private static long quantity(String flag, String text) {
        try {
            return Quantity.getAmountInBytes(new Quantity(text)).longValueExact();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + ": '" + text + "' is not a quantity", e);
        }
    }
}
