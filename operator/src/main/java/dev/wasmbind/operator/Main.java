package dev.wasmbind.operator;

import dev.wasmbind.api.GoDuration;
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
import java.util.HashSet;
import java.util.List;
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
        version = "wasmbind-operator 0.1.0",
        description = "Reconciles WasmBindings: fetch, validate, cache, status.",
        sortOptions = false)
public final class Main implements Callable<Integer> {

    private static final String SERVICE_ACCOUNT_NAMESPACE =
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    @Option(
            names = "--namespaces",
            split = ",",
            defaultValue = "${env:WASMBIND_NAMESPACES}",
            description =
                    "Namespaces to watch, comma-separated (default: all). Env WASMBIND_NAMESPACES.")
    List<String> namespaces = new java.util.ArrayList<>();

    @Option(
            names = "--cache-dir",
            defaultValue = "${env:WASMBIND_CACHE_DIR:-/var/cache/wasmbind}",
            description =
                    "Module cache folder (default: ${DEFAULT-VALUE}). Env WASMBIND_CACHE_DIR.")
    Path cacheDir;

    @Option(
            names = "--allow-file-urls",
            defaultValue = "${env:WASMBIND_ALLOW_FILE_URLS:-false}",
            description =
                    "Fetch file:///abs/path URLs from the operator's filesystem (default: refuse). Env WASMBIND_ALLOW_FILE_URLS.")
    boolean allowFileUrls;

    @Option(
            names = "--allow-hosts",
            split = ",",
            defaultValue = "${env:WASMBIND_ALLOW_HOSTS}",
            description =
                    "Hosts (name or *.suffix) fetched even if they resolve to loopback/link-local/metadata addresses. Env WASMBIND_ALLOW_HOSTS.")
    List<String> allowHosts = new java.util.ArrayList<>();

    @Option(
            names = "--deny-hosts",
            split = ",",
            defaultValue = "${env:WASMBIND_DENY_HOSTS}",
            description = "Hosts never fetched from. Env WASMBIND_DENY_HOSTS.")
    List<String> denyHosts = new java.util.ArrayList<>();

    @Option(
            names = "--allow-cidrs",
            split = ",",
            defaultValue = "${env:WASMBIND_ALLOW_CIDRS}",
            description =
                    "Address ranges fetched even if refused by default, e.g. 127.0.0.1/32. Env WASMBIND_ALLOW_CIDRS.")
    List<String> allowCidrs = new java.util.ArrayList<>();

    @Option(
            names = "--deny-cidrs",
            split = ",",
            defaultValue = "${env:WASMBIND_DENY_CIDRS}",
            description =
                    "Address ranges never fetched from, e.g. 10.0.0.0/8. Env WASMBIND_DENY_CIDRS.")
    List<String> denyCidrs = new java.util.ArrayList<>();

    @Option(
            names = "--insecure-registries",
            split = ",",
            defaultValue = "${env:WASMBIND_INSECURE_REGISTRIES}",
            description =
                    "OCI registries (host:port) spoken to over plain HTTP. Env WASMBIND_INSECURE_REGISTRIES.")
    List<String> insecureRegistries = new java.util.ArrayList<>();

    @Option(
            names = "--cache-max-size",
            defaultValue = "${env:WASMBIND_CACHE_MAX_SIZE:-0}",
            description =
                    "Cap on the module cache, as a quantity; beyond it unreferenced modules are evicted, least recently used first (default: ${DEFAULT-VALUE}, no cap). Env WASMBIND_CACHE_MAX_SIZE.")
    String cacheMaxSize;

    @Option(
            names = "--max-module-size",
            defaultValue = "${env:WASMBIND_MAX_MODULE_SIZE:-64Mi}",
            description =
                    "Largest module fetched, as a quantity (default: ${DEFAULT-VALUE}). Env WASMBIND_MAX_MODULE_SIZE.")
    String maxModuleSize;

    @Option(
            names = "--fetch-timeout",
            defaultValue = "${env:WASMBIND_FETCH_TIMEOUT:-60s}",
            description =
                    "Time allowed for the response headers and again for the body (default: ${DEFAULT-VALUE}). Env WASMBIND_FETCH_TIMEOUT.")
    String fetchTimeout;

    @Option(
            names = "--connect-timeout",
            defaultValue = "${env:WASMBIND_CONNECT_TIMEOUT:-10s}",
            description =
                    "Time allowed to connect (default: ${DEFAULT-VALUE}). Env WASMBIND_CONNECT_TIMEOUT.")
    String connectTimeout;

    @Option(
            names = "--max-redirects",
            defaultValue = "${env:WASMBIND_MAX_REDIRECTS:-5}",
            description =
                    "Redirects followed per fetch (default: ${DEFAULT-VALUE}). Env WASMBIND_MAX_REDIRECTS.")
    int maxRedirects;

    @Option(
            names = "--min-refresh-interval",
            defaultValue = "${env:WASMBIND_MIN_REFRESH_INTERVAL:-10s}",
            description =
                    "Shortest spec.refreshInterval accepted (default: ${DEFAULT-VALUE}). Env WASMBIND_MIN_REFRESH_INTERVAL.")
    String minRefreshInterval;

    @Option(
            names = "--retry-initial",
            defaultValue = "${env:WASMBIND_RETRY_INITIAL:-5s}",
            description =
                    "First retry delay after a failed fetch; doubles each time (default: ${DEFAULT-VALUE}). Env WASMBIND_RETRY_INITIAL.")
    String retryInitial;

    @Option(
            names = "--retry-max",
            defaultValue = "${env:WASMBIND_RETRY_MAX:-5m}",
            description =
                    "Longest retry delay (default: ${DEFAULT-VALUE}). Env WASMBIND_RETRY_MAX.")
    String retryMax;

    @Option(
            names = "--gc-interval",
            defaultValue = "${env:WASMBIND_GC_INTERVAL:-10m}",
            description =
                    "How often the cache is garbage-collected (default: ${DEFAULT-VALUE}). Env WASMBIND_GC_INTERVAL.")
    String gcInterval;

    @Option(
            names = "--gc-grace",
            defaultValue = "${env:WASMBIND_GC_GRACE:-1h}",
            description =
                    "How long a module stays after no binding references it (default: ${DEFAULT-VALUE}). Env WASMBIND_GC_GRACE.")
    String gcGrace;

    @Option(
            names = "--reconcile-threads",
            defaultValue = "${env:WASMBIND_RECONCILE_THREADS:-50}",
            description =
                    "Bindings reconciled at once (default: ${DEFAULT-VALUE}). Env WASMBIND_RECONCILE_THREADS.")
    int reconcileThreads;

    @Option(
            names = "--port",
            defaultValue = "${env:WASMBIND_PORT:-8080}",
            description =
                    "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}). Env WASMBIND_PORT.")
    int port;

    @Option(
            names = "--bind-address",
            defaultValue = "${env:WASMBIND_BIND_ADDRESS:-0.0.0.0}",
            description =
                    "Address the health/metrics server listens on (default: ${DEFAULT-VALUE}). Env WASMBIND_BIND_ADDRESS.")
    String bindAddress;

    @Option(
            names = "--leader-election",
            negatable = true,
            defaultValue = "${env:WASMBIND_LEADER_ELECTION:-true}",
            fallbackValue = "true",
            description =
                    "Elect one active replica through a Lease (default: on; needs a namespace, see below). Env WASMBIND_LEADER_ELECTION.")
    boolean leaderElection;

    @Option(
            names = "--leader-election-namespace",
            defaultValue = "${env:WASMBIND_LEADER_ELECTION_NAMESPACE}",
            description =
                    "Namespace of the Lease (default: the pod's namespace; outside a cluster leader election is off unless set). Env WASMBIND_LEADER_ELECTION_NAMESPACE.")
    String leaderElectionNamespace;

    @Option(
            names = "--lease-name",
            defaultValue = "${env:WASMBIND_LEASE_NAME:-wasmbind-operator}",
            description = "Name of the Lease (default: ${DEFAULT-VALUE}). Env WASMBIND_LEASE_NAME.")
    String leaseName;

    @Option(
            names = "--server-side-apply",
            negatable = true,
            defaultValue = "${env:WASMBIND_SERVER_SIDE_APPLY:-true}",
            fallbackValue = "true",
            description =
                    "Patch status with server-side apply (default: on). Env WASMBIND_SERVER_SIDE_APPLY.")
    boolean serverSideApply;

    @Option(
            names = "--log-format",
            defaultValue = "${env:WASMBIND_LOG_FORMAT:-text}",
            description = "text or json (default: ${DEFAULT-VALUE}). Env WASMBIND_LOG_FORMAT.")
    String logFormat;

    @Option(
            names = "--log-level",
            defaultValue = "${env:WASMBIND_LOG_LEVEL:-INFO}",
            description =
                    "ERROR, WARN, INFO, DEBUG or TRACE (default: ${DEFAULT-VALUE}). Env WASMBIND_LOG_LEVEL.")
    String logLevel;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        configureLogging();
        Settings settings = settings();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        KubernetesClient client = new KubernetesClientBuilder().build();
        Optional<String> leaseNamespace = leaseNamespace();
        WasmBindOperator.Builder builder =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withCacheDir(cacheDir)
                        .withCacheMaxBytes(quantity("--cache-max-size", cacheMaxSize))
                        .withGuard(settings.guard())
                        .withAllowFileUrls(allowFileUrls)
                        .withInsecureRegistries(Set.copyOf(insecureRegistries))
                        .withMaxModuleBytes(settings.maxModuleBytes())
                        .withFetchTimeout(settings.fetchTimeout())
                        .withConnectTimeout(settings.connectTimeout())
                        .withMaxRedirects(maxRedirects)
                        .withMinRefreshInterval(settings.minRefreshInterval())
                        .withRetry(settings.retryInitial(), settings.retryMax())
                        .withGcInterval(settings.gcInterval())
                        .withGcGrace(settings.gcGrace())
                        .withNamespaces(new HashSet<>(namespaces))
                        .withReconcileThreads(reconcileThreads)
                        .withServerSideApply(serverSideApply)
                        .withMeterRegistry(registry);
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);
        if (leaderElection && leaseNamespace.isPresent()) {
            builder.withLeaderElection(
                    new LeaderElectionConfiguration(leaseName, leaseNamespace.get()));
            log.info("leader election on: Lease {}/{}", leaseNamespace.get(), leaseName);
        } else if (leaderElection) {
            log.warn(
                    "leader election off: not in a cluster and no --leader-election-namespace;"
                            + " run a single replica");
        }
        log.info(
                "cache {}, guard {}, file URLs {}",
                cacheDir,
                settings.guard(),
                allowFileUrls ? "allowed" : "refused");
        WasmBindOperator operator = builder.build();
        HealthServer health =
                HealthServer.start(
                        bindAddress, port, registry, operator::isHealthy, operator::isReady);
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
        log.info("health and metrics on {}:{}", bindAddress, health.port());
        stopped.await();
        return 0;
    }

    /** The flags, parsed and checked; a bad value fails start-up with the flag's name. */
    Settings settings() {
        return new Settings(
                NetworkGuard.builder()
                        .allowHosts(allowHosts)
                        .denyHosts(denyHosts)
                        .allowCidrs(allowCidrs.stream().map(Cidr::parse).toList())
                        .denyCidrs(denyCidrs.stream().map(Cidr::parse).toList())
                        .build(),
                quantity("--max-module-size", maxModuleSize),
                duration("--fetch-timeout", fetchTimeout),
                duration("--connect-timeout", connectTimeout),
                duration("--min-refresh-interval", minRefreshInterval),
                duration("--retry-initial", retryInitial),
                duration("--retry-max", retryMax),
                duration("--gc-interval", gcInterval),
                duration("--gc-grace", gcGrace));
    }

    record Settings(
            NetworkGuard guard,
            long maxModuleBytes,
            Duration fetchTimeout,
            Duration connectTimeout,
            Duration minRefreshInterval,
            Duration retryInitial,
            Duration retryMax,
            Duration gcInterval,
            Duration gcGrace) {}

    private Optional<String> leaseNamespace() throws java.io.IOException {
        if (leaderElectionNamespace != null && !leaderElectionNamespace.isBlank()) {
            return Optional.of(leaderElectionNamespace);
        }
        Path serviceAccount = Path.of(SERVICE_ACCOUNT_NAMESPACE);
        if (Files.isReadable(serviceAccount)) {
            return Optional.of(Files.readString(serviceAccount).strip());
        }
        return Optional.empty();
    }

    private void configureLogging() {
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--log-format must be text or json, not " + logFormat);
        }
        System.setProperty("wasmbind.log.format", logFormat);
        System.setProperty("wasmbind.log.level", logLevel.toUpperCase(java.util.Locale.ROOT));
        System.setProperty("logback.configurationFile", "wasmbind-operator-logback.xml");
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
