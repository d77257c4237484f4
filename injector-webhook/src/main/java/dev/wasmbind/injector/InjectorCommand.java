package dev.wasmbind.injector;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.wasmbind.api.GoDuration;
import dev.wasmbind.injector.admission.AdmissionServer;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.InvalidKeyMaterialException;
import dev.wasmbind.injector.tls.KeyMaterialSource;
import dev.wasmbind.injector.tls.PemFiles;
import dev.wasmbind.injector.tls.SelfManagedCertificates;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code java -jar wasmbind-injector.jar --port N --tls-cert F --tls-key F --sidecar-image I}. */
@Command(
        name = "wasmbind-injector",
        mixinStandardHelpOptions = true,
        versionProvider = InjectorCommand.Version.class,
        description = "Mutating admission webhook that injects the wasmbind sidecar into pods.",
        showDefaultValues = true)
public final class InjectorCommand implements Callable<Integer> {

    private static final String ENV = "WASMBIND_INJECTOR_";

    @Spec CommandSpec spec;

    @Option(
            names = "--port",
            defaultValue = "${env:" + ENV + "PORT:-8443}",
            description = "HTTPS port.")
    int port;

    @Option(
            names = "--host",
            defaultValue = "${env:" + ENV + "HOST:-0.0.0.0}",
            description = "Address to listen on.")
    String host;

    @Option(
            names = "--tls-cert",
            defaultValue = "${env:" + ENV + "TLS_CERT}",
            description = "PEM certificate chain file (file mode).")
    Path tlsCert;

    @Option(
            names = "--tls-key",
            defaultValue = "${env:" + ENV + "TLS_KEY}",
            description = "PEM private key file (file mode).")
    Path tlsKey;

    @Option(
            names = "--tls-reload-interval",
            defaultValue = "${env:" + ENV + "TLS_RELOAD_INTERVAL}",
            description =
                    "How often the pair is re-read (Go duration). Default 10s for files, 5m self-managed.")
    String tlsReloadInterval;

    @Option(
            names = "--self-managed-tls",
            defaultValue = "${env:" + ENV + "SELF_MANAGED_TLS:-false}",
            description =
                    "Create and rotate the CA and serving certificate in a Secret, and keep the caBundle current.")
    boolean selfManagedTls;

    @Option(
            names = "--tls-secret",
            defaultValue = "${env:" + ENV + "TLS_SECRET:-wasmbind-injector-tls}",
            description = "Self-managed mode: the Secret holding CA and serving certificate.")
    String tlsSecret;

    @Option(
            names = "--service-name",
            defaultValue = "${env:" + ENV + "SERVICE_NAME:-wasmbind-injector}",
            description =
                    "Self-managed mode: the webhook Service name the certificate is issued for.")
    String serviceName;

    @Option(
            names = "--namespace",
            defaultValue = "${env:" + ENV + "NAMESPACE:-${env:POD_NAMESPACE}}",
            description =
                    "Self-managed mode: namespace of the Secret and Service (default: POD_NAMESPACE).")
    String namespace;

    @Option(
            names = "--webhook-configuration",
            defaultValue = "${env:" + ENV + "WEBHOOK_CONFIGURATION:-wasmbind-injector}",
            description =
                    "Self-managed mode: the MutatingWebhookConfiguration whose caBundle is kept current.")
    String webhookConfiguration;

    @Option(
            names = "--sidecar-image",
            defaultValue = "${env:" + ENV + "SIDECAR_IMAGE}",
            description = "Image of the injected sidecar (required).")
    String sidecarImage;

    @Option(
            names = "--sidecar-image-pull-policy",
            defaultValue = "${env:" + ENV + "SIDECAR_IMAGE_PULL_POLICY:-IfNotPresent}",
            description = "imagePullPolicy of the sidecar.")
    String sidecarImagePullPolicy;

    @Option(
            names = "--native-sidecar",
            defaultValue = "${env:" + ENV + "NATIVE_SIDECAR:-false}",
            description =
                    "Inject an init container with restartPolicy: Always (Kubernetes >= 1.29).")
    boolean nativeSidecar;

    @Option(
            names = "--module-service",
            defaultValue = "${env:" + ENV + "MODULE_SERVICE}",
            description =
                    "The operator's module service URL passed to sidecars, e.g. https://wasmbind-operator.wasmbind.svc:8443.")
    String moduleService;

    @Option(
            names = "--module-service-ca-file",
            defaultValue = "${env:" + ENV + "MODULE_SERVICE_CA_FILE}",
            description =
                    "PEM CA certificate(s) of the module service, read at start and given to sidecars in WASMBIND_MODULE_SERVICE_CA (restart the injector after the CA changes).")
    Path moduleServiceCaFile;

    @Option(
            names = "--sidecar-log-level",
            defaultValue = "${env:" + ENV + "SIDECAR_LOG_LEVEL:-info}",
            description = "Default sidecar log level (trace, debug, info, warn, error).")
    String sidecarLogLevel;

    @Option(
            names = "--sidecar-cpu-request",
            defaultValue = "${env:" + ENV + "SIDECAR_CPU_REQUEST:-100m}",
            description = "Default sidecar CPU request.")
    String sidecarCpuRequest;

    @Option(
            names = "--sidecar-cpu-limit",
            defaultValue = "${env:" + ENV + "SIDECAR_CPU_LIMIT:-}",
            description = "Default sidecar CPU limit (empty: none).")
    String sidecarCpuLimit;

    @Option(
            names = "--sidecar-memory-request",
            defaultValue = "${env:" + ENV + "SIDECAR_MEMORY_REQUEST:-128Mi}",
            description = "Default sidecar memory request.")
    String sidecarMemoryRequest;

    @Option(
            names = "--sidecar-memory-limit",
            defaultValue = "${env:" + ENV + "SIDECAR_MEMORY_LIMIT:-512Mi}",
            description = "Default sidecar memory limit (empty: none).")
    String sidecarMemoryLimit;

    @Option(
            names = "--sidecar-run-as-user",
            defaultValue = "${env:" + ENV + "SIDECAR_RUN_AS_USER:-65532}",
            description = "UID (and GID) the sidecar runs as.")
    long sidecarRunAsUser;

    @Option(
            names = "--token-expiration-seconds",
            defaultValue = "${env:" + ENV + "TOKEN_EXPIRATION_SECONDS:-3600}",
            description = "Lifetime of the projected ServiceAccount token (audience wasmbind).")
    long tokenExpirationSeconds;

    @Option(
            names = "--log-level",
            defaultValue = "${env:" + ENV + "LOG_LEVEL:-info}",
            description = "The injector's own log level.")
    String logLevel;

    @Option(
            names = "--log-format",
            defaultValue = "${env:" + ENV + "LOG_FORMAT:-text}",
            description = "text or json (one JSON object per line).")
    String logFormat;

    public static void main(String[] args) {
        int exit = new CommandLine(new InjectorCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        configureLogging();
        Logger log = LoggerFactory.getLogger(InjectorCommand.class);
        SidecarConfig config;
        Duration reloadInterval;
        try {
            config = sidecarConfig();
            reloadInterval = reloadInterval();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.vertx();
        KubernetesClient client = null;
        AdmissionServer started;
        try {
            AdmissionServer.Builder server =
                    AdmissionServer.builder()
                            .vertx(vertx)
                            .host(host)
                            .port(port)
                            .injector(new SidecarInjector(config))
                            .registry(registry);
            KeyMaterialSource source;
            if (selfManagedTls) {
                client = new KubernetesClientBuilder().build();
                SelfManagedCertificates selfManaged =
                        SelfManagedCertificates.builder()
                                .client(client)
                                .namespace(namespace)
                                .secretName(tlsSecret)
                                .serviceName(serviceName)
                                .webhookConfigurationName(webhookConfiguration)
                                .build();
                server.readinessCheck(selfManaged::caBundleProblem);
                source = selfManaged;
            } else {
                source = new PemFiles(tlsCert, tlsKey);
            }
            server.certificates(new CertificateReloader(vertx, source, reloadInterval, registry));
            started = server.build().start().toCompletionStage().toCompletableFuture().get();
        } catch (Exception | LinkageError e) {
            // Vert.x threads would keep a half-started JVM alive: close everything, exit 1.
            Throwable cause =
                    e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InvalidKeyMaterialException) {
                log.error("Cannot start: {}", cause.getMessage());
            } else {
                log.error("Cannot start: {}", cause.toString(), cause);
            }
            await(vertx.close());
            if (client != null) {
                client.close();
            }
            return 1;
        }
        log.info(
                "wasmbind injector {} listening on https://{}:{} (sidecar {}, {} mode)",
                config.injectorVersion(),
                host,
                started.port(),
                config.image(),
                config.nativeSidecar() ? "native sidecar" : "regular container");
        CountDownLatch stopped = new CountDownLatch(1);
        KubernetesClient k8s = client;
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    // One after the other: a future of a closed Vert.x never
                                    // completes.
                                    await(started.stop());
                                    await(vertx.close());
                                    if (k8s != null) {
                                        k8s.close();
                                    }
                                    stopped.countDown();
                                }));
        stopped.await();
        return 0;
    }

    private static void await(io.vertx.core.Future<?> future) {
        future.toCompletionStage()
                .toCompletableFuture()
                .completeOnTimeout(null, 5, TimeUnit.SECONDS)
                .join();
    }

    private SidecarConfig sidecarConfig() {
        if (sidecarImage == null || sidecarImage.isBlank()) {
            throw new IllegalArgumentException(
                    "--sidecar-image (or " + ENV + "SIDECAR_IMAGE) is required");
        }
        if (selfManagedTls) {
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException(
                        "--self-managed-tls needs --namespace (or POD_NAMESPACE)");
            }
        } else if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException(
                    "give --tls-cert and --tls-key, or --self-managed-tls");
        }
        return SidecarConfig.builder()
                .image(sidecarImage)
                .imagePullPolicy(sidecarImagePullPolicy)
                .nativeSidecar(nativeSidecar)
                .moduleServiceUrl(moduleService)
                .moduleServiceCaFile(moduleServiceCaFile)
                .injectorVersion(Version.current())
                .logLevel(sidecarLogLevel)
                .cpuRequest(sidecarCpuRequest)
                .cpuLimit(sidecarCpuLimit)
                .memoryRequest(sidecarMemoryRequest)
                .memoryLimit(sidecarMemoryLimit)
                .runAsUser(sidecarRunAsUser)
                .tokenExpirationSeconds(tokenExpirationSeconds)
                .build();
    }

    private Duration reloadInterval() {
        if (tlsReloadInterval == null || tlsReloadInterval.isBlank()) {
            return selfManagedTls ? Duration.ofMinutes(5) : Duration.ofSeconds(10);
        }
        Duration d = GoDuration.parse(tlsReloadInterval);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("--tls-reload-interval must be positive");
        }
        return d;
    }

    private void configureLogging() throws JoranException {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        switch (logFormat) {
            case "text" -> {}
            case "json" -> {
                context.reset();
                JoranConfigurator configurator = new JoranConfigurator();
                configurator.setContext(context);
                configurator.doConfigure(getClass().getResource("/logback-json.xml"));
            }
            default ->
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--log-format must be text or json");
        }
        context.getLogger("dev.wasmbind").setLevel(Level.toLevel(logLevel, Level.INFO));
    }

    /** The jar's version (from its manifest), "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        static String current() {
            String v = InjectorCommand.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"wasmbind-injector " + current()};
        }
    }
}
