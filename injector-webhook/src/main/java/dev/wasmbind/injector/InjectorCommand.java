package dev.wasmbind.injector;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.command.FlagDefaults;
import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.LogOptions;
import dev.wasmbind.command.Logging;
import dev.wasmbind.command.ManifestVersion;
import dev.wasmbind.injector.admission.AdmissionServer;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.InvalidKeyMaterialException;
import dev.wasmbind.injector.tls.KeyMaterialSource;
import dev.wasmbind.injector.tls.PemFiles;
import dev.wasmbind.injector.tls.SelfManagedCertificates;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
        versionProvider = ManifestVersion.class,
        defaultValueProvider = InjectorCommand.Defaults.class,
        description = "Mutating admission webhook that injects the wasmbind sidecar into pods.",
        showDefaultValues = true)
public final class InjectorCommand implements Callable<Integer> {

    private static final String ENV = "WASMBIND_INJECTOR_";

    /** Flag, then {@code WASMBIND_INJECTOR_<FLAG>}, then {@link InjectorSettings#defaults()}. */
    static final class Defaults extends FlagDefaults {
        Defaults() {
            super(ENV, flagDefaults(InjectorSettings.defaults()));
        }

        private static Map<String, String> flagDefaults(InjectorSettings d) {
            // The sidecar's defaults are SidecarConfig's; it needs an image to be built at all.
            SidecarConfig sidecar = SidecarConfig.builder().image("defaults").build();
            return Map.ofEntries(
                    Map.entry("--port", String.valueOf(d.port())),
                    Map.entry("--host", d.host()),
                    Map.entry("--self-managed-tls", String.valueOf(d.selfManagedTls())),
                    Map.entry("--tls-secret", d.tlsSecret()),
                    Map.entry("--service-name", d.serviceName()),
                    Map.entry("--webhook-configuration", d.webhookConfiguration()),
                    Map.entry("--sidecar-image-pull-policy", sidecar.imagePullPolicy()),
                    Map.entry("--native-sidecar", String.valueOf(sidecar.nativeSidecar())),
                    Map.entry("--sidecar-log-level", sidecar.logLevel()),
                    Map.entry("--sidecar-cpu-request", text(sidecar.cpuRequest())),
                    Map.entry("--sidecar-cpu-limit", text(sidecar.cpuLimit())),
                    Map.entry("--sidecar-memory-request", text(sidecar.memoryRequest())),
                    Map.entry("--sidecar-memory-limit", text(sidecar.memoryLimit())),
                    Map.entry("--sidecar-run-as-user", String.valueOf(sidecar.runAsUser())),
                    Map.entry(
                            "--token-expiration-seconds",
                            String.valueOf(sidecar.tokenExpirationSeconds())),
                    Map.entry("--log-level", d.logLevel().name()),
                    Map.entry("--log-format", d.logFormat().name()));
        }

        private static String text(Quantity quantity) {
            return quantity == null ? "" : quantity.toString();
        }
    }

    @Spec CommandSpec spec;

    @Option(names = "--port", description = "HTTPS port.")
    int port;

    @Option(names = "--host", description = "Address to listen on.")
    String host;

    @Option(names = "--tls-cert", description = "PEM certificate chain file (file mode).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key file (file mode).")
    Path tlsKey;

    @Option(
            names = "--tls-reload-interval",
            description =
                    "How often the pair is re-read (Go duration). Default 10s for files, 5m self-managed.")
    String tlsReloadInterval;

    @Option(
            names = "--self-managed-tls",
            description =
                    "Create and rotate the CA and serving certificate in a Secret, and keep the caBundle current.")
    boolean selfManagedTls;

    @Option(
            names = "--tls-secret",
            description = "Self-managed mode: the Secret holding CA and serving certificate.")
    String tlsSecret;

    @Option(
            names = "--service-name",
            description =
                    "Self-managed mode: the webhook Service name the certificate is issued for.")
    String serviceName;

    @Option(
            names = "--namespace",
            defaultValue = "${env:POD_NAMESPACE}",
            description =
                    "Self-managed mode: namespace of the Secret and Service (default: POD_NAMESPACE).")
    String namespace;

    @Option(
            names = "--webhook-configuration",
            description =
                    "Self-managed mode: the MutatingWebhookConfiguration whose caBundle is kept current.")
    String webhookConfiguration;

    @Option(names = "--sidecar-image", description = "Image of the injected sidecar (required).")
    String sidecarImage;

    @Option(names = "--sidecar-image-pull-policy", description = "imagePullPolicy of the sidecar.")
    String sidecarImagePullPolicy;

    @Option(
            names = "--native-sidecar",
            description =
                    "Inject an init container with restartPolicy: Always (Kubernetes >= 1.29).")
    boolean nativeSidecar;

    @Option(
            names = "--module-service",
            description =
                    "The operator's module service URL passed to sidecars, e.g. https://wasmbind-operator.wasmbind.svc:9443.")
    String moduleService;

    @Option(
            names = "--module-service-ca-file",
            description =
                    "PEM CA certificate(s) of the module service, read at start and given to sidecars in WASMBIND_MODULE_SERVICE_CA (restart the injector after the CA changes).")
    Path moduleServiceCaFile;

    @Option(
            names = "--sidecar-log-level",
            description = "Default sidecar log level (trace, debug, info, warn, error).")
    String sidecarLogLevel;

    @Option(names = "--sidecar-cpu-request", description = "Default sidecar CPU request.")
    String sidecarCpuRequest;

    @Option(names = "--sidecar-cpu-limit", description = "Default sidecar CPU limit (empty: none).")
    String sidecarCpuLimit;

    @Option(names = "--sidecar-memory-request", description = "Default sidecar memory request.")
    String sidecarMemoryRequest;

    @Option(
            names = "--sidecar-memory-limit",
            description = "Default sidecar memory limit (empty: none).")
    String sidecarMemoryLimit;

    @Option(
            names = "--sidecar-idle-timeout",
            paramLabel = "DURATION",
            description = "Sidecars' --idle-timeout (empty: the sidecar's default).")
    String sidecarIdleTimeout;

    @Option(
            names = "--sidecar-header-timeout",
            paramLabel = "DURATION",
            description = "Sidecars' --header-timeout (empty: the sidecar's default).")
    String sidecarHeaderTimeout;

    @Option(
            names = "--sidecar-max-header-bytes",
            paramLabel = "BYTES",
            description = "Sidecars' --max-header-bytes (empty: the sidecar's default).")
    String sidecarMaxHeaderBytes;

    @Option(
            names = "--sidecar-request-bytes-in-flight",
            paramLabel = "BYTES",
            description =
                    "Sidecars' --request-bytes-in-flight, e.g. 64Mi (empty: the sidecar's default,"
                            + " a quarter of its heap).")
    String sidecarRequestBytesInFlight;

    @Option(names = "--sidecar-run-as-user", description = "UID (and GID) the sidecar runs as.")
    long sidecarRunAsUser;

    @Option(
            names = "--token-expiration-seconds",
            description = "Lifetime of the projected ServiceAccount token (audience wasmbind).")
    long tokenExpirationSeconds;

    @Option(
            names = "--log-level",
            converter = LogOptions.LevelConverter.class,
            description = "The injector's own log level (error, warn, info, debug, trace).")
    LogLevel logLevel;

    @Option(
            names = "--log-format",
            converter = LogOptions.FormatConverter.class,
            description = "text or json (one JSON object per line).")
    LogFormat logFormat;

    public static void main(String[] args) {
        int exit = new CommandLine(new InjectorCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        InjectorSettings settings;
        try {
            settings = settings().requireComplete();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Logging.configure(settings.logLevel(), settings.logFormat());
        Logger log = LoggerFactory.getLogger(InjectorCommand.class);
        SidecarConfig config = settings.sidecar();
        Duration reloadInterval = settings.reloadInterval();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.vertx();
        KubernetesClient client = null;
        AdmissionServer started;
        try {
            AdmissionServer.Builder server =
                    AdmissionServer.builder()
                            .vertx(vertx)
                            .host(settings.host())
                            .port(settings.port())
                            .injector(new SidecarInjector(config))
                            .registry(registry);
            KeyMaterialSource source;
            if (settings.selfManagedTls()) {
                client = new KubernetesClientBuilder().build();
                SelfManagedCertificates selfManaged =
                        SelfManagedCertificates.builder()
                                .client(client)
                                .namespace(settings.namespace())
                                .secretName(settings.tlsSecret())
                                .serviceName(settings.serviceName())
                                .webhookConfigurationName(settings.webhookConfiguration())
                                .build();
                server.readinessCheck(selfManaged::caBundleProblem);
                source = selfManaged;
            } else {
                source = new PemFiles(settings.tlsCert(), settings.tlsKey());
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
                settings.host(),
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

    /** The flags as settings; a bad value throws with the flag's reason. */
    InjectorSettings settings() {
        return InjectorSettings.defaults()
                .withServer(host, port)
                .withTlsFiles(
                        tlsCert,
                        tlsKey,
                        tlsReloadInterval == null || tlsReloadInterval.isBlank()
                                ? null
                                : GoDuration.parse(tlsReloadInterval))
                .withSelfManagedTls(
                        selfManagedTls, tlsSecret, serviceName, namespace, webhookConfiguration)
                .withSidecar(
                        sidecarImage == null || sidecarImage.isBlank()
                                ? null
                                : SidecarConfig.builder()
                                        .image(sidecarImage)
                                        .imagePullPolicy(sidecarImagePullPolicy)
                                        .nativeSidecar(nativeSidecar)
                                        .moduleServiceUrl(moduleService)
                                        .moduleServiceCaFile(moduleServiceCaFile)
                                        .injectorVersion(ManifestVersion.of(InjectorCommand.class))
                                        .logLevel(sidecarLogLevel)
                                        .cpuRequest(sidecarCpuRequest)
                                        .cpuLimit(sidecarCpuLimit)
                                        .memoryRequest(sidecarMemoryRequest)
                                        .memoryLimit(sidecarMemoryLimit)
                                        .runAsUser(sidecarRunAsUser)
                                        .tokenExpirationSeconds(tokenExpirationSeconds)
                                        .serverLimits(
                                                sidecarIdleTimeout,
                                                sidecarHeaderTimeout,
                                                sidecarMaxHeaderBytes,
                                                sidecarRequestBytesInFlight)
                                        .build())
                .withLogging(logLevel, logFormat);
    }
}
