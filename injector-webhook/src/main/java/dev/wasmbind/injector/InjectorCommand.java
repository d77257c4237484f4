package dev.wasmbind.injector;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar wasmbind-injector.jar --port N --tls-cert F --tls-key F --sidecar-image I}.
 * Every flag not given is read from {@code WASMBIND_INJECTOR_<FLAG>}, then {@link
 * InjectorSettings#defaults()} (the injected sidecar's from {@link SidecarConfig}'s).
 */
public final class InjectorCommand {

    private static final InjectorSettings DEFAULTS = InjectorSettings.defaults();

    /** The injected sidecar's defaults; SidecarConfig needs an image to be built at all. */
    private static final SidecarConfig SIDECAR_DEFAULTS =
            SidecarConfig.builder().image("defaults").build();

    static final Flag<Integer> PORT =
            Flag.builder("--port", FlagType.INTEGER)
                    .label("PORT")
                    .description("HTTPS port.")
                    .defaultValue(String.valueOf(DEFAULTS.port()))
                    .build();
    static final Flag<String> HOST =
            Flag.builder("--host", FlagType.TEXT)
                    .label("ADDRESS")
                    .description("Address to listen on.")
                    .defaultValue(DEFAULTS.host())
                    .build();
    static final Flag<Path> TLS_CERT =
            Flag.builder("--tls-cert", FlagType.PATH)
                    .label("FILE")
                    .description("PEM certificate chain file (file mode).")
                    .build();
    static final Flag<Path> TLS_KEY =
            Flag.builder("--tls-key", FlagType.PATH)
                    .label("FILE")
                    .description("PEM private key file (file mode).")
                    .build();
    static final Flag<String> TLS_RELOAD_INTERVAL =
            Flag.builder("--tls-reload-interval", FlagType.TEXT)
                    .label("DURATION")
                    .description(
                            "How often the pair is re-read (Go duration). Default 10s for files,"
                                    + " 5m self-managed.")
                    .build();
    static final Flag<Boolean> SELF_MANAGED_TLS =
            Flag.builder("--self-managed-tls", FlagType.BOOLEAN)
                    .description(
                            "Create and rotate the CA and serving certificate in a Secret, and"
                                    + " keep the caBundle current.")
                    .defaultValue(String.valueOf(DEFAULTS.selfManagedTls()))
                    .build();
    static final Flag<String> TLS_SECRET =
            Flag.builder("--tls-secret", FlagType.TEXT)
                    .label("NAME")
                    .description(
                            "Self-managed mode: the Secret holding CA and serving certificate.")
                    .defaultValue(DEFAULTS.tlsSecret())
                    .build();
    static final Flag<String> SERVICE_NAME =
            Flag.builder("--service-name", FlagType.TEXT)
                    .label("NAME")
                    .description(
                            "Self-managed mode: the webhook Service name the certificate is"
                                    + " issued for.")
                    .defaultValue(DEFAULTS.serviceName())
                    .build();
    static final Flag<String> NAMESPACE =
            Flag.builder("--namespace", FlagType.TEXT)
                    .label("NAMESPACE")
                    .description(
                            "Self-managed mode: namespace of the Secret and Service (default:"
                                    + " POD_NAMESPACE).")
                    .defaultValue(System.getenv("POD_NAMESPACE"))
                    .build();
    static final Flag<String> WEBHOOK_CONFIGURATION =
            Flag.builder("--webhook-configuration", FlagType.TEXT)
                    .label("NAME")
                    .description(
                            "Self-managed mode: the MutatingWebhookConfiguration whose caBundle"
                                    + " is kept current.")
                    .defaultValue(DEFAULTS.webhookConfiguration())
                    .build();
    static final Flag<String> SIDECAR_IMAGE =
            Flag.builder("--sidecar-image", FlagType.TEXT)
                    .label("IMAGE")
                    .description("Image of the injected sidecar (required).")
                    .build();
    static final Flag<String> SIDECAR_IMAGE_PULL_POLICY =
            Flag.builder("--sidecar-image-pull-policy", FlagType.TEXT)
                    .label("POLICY")
                    .description("imagePullPolicy of the sidecar.")
                    .defaultValue(SIDECAR_DEFAULTS.imagePullPolicy())
                    .build();
    static final Flag<Boolean> NATIVE_SIDECAR =
            Flag.builder("--native-sidecar", FlagType.BOOLEAN)
                    .description(
                            "Inject an init container with restartPolicy: Always (Kubernetes >="
                                    + " 1.29).")
                    .defaultValue(String.valueOf(SIDECAR_DEFAULTS.nativeSidecar()))
                    .build();
    static final Flag<String> MODULE_SERVICE =
            Flag.builder("--module-service", FlagType.TEXT)
                    .label("URL")
                    .description(
                            "The operator's module service URL passed to sidecars, e.g."
                                    + " https://wasmbind-operator.wasmbind.svc:9443.")
                    .build();
    static final Flag<Path> MODULE_SERVICE_CA_FILE =
            Flag.builder("--module-service-ca-file", FlagType.PATH)
                    .label("FILE")
                    .description(
                            "PEM CA certificate(s) of the module service, read at start and given"
                                    + " to sidecars in WASMBIND_MODULE_SERVICE_CA (restart the"
                                    + " injector after the CA changes).")
                    .build();
    static final Flag<String> SIDECAR_LOG_LEVEL =
            Flag.builder("--sidecar-log-level", FlagType.TEXT)
                    .label("LEVEL")
                    .description("Default sidecar log level (trace, debug, info, warn, error).")
                    .defaultValue(SIDECAR_DEFAULTS.logLevel())
                    .build();
    static final Flag<String> SIDECAR_CPU_REQUEST =
            Flag.builder("--sidecar-cpu-request", FlagType.TEXT)
                    .label("QUANTITY")
                    .description("Default sidecar CPU request (empty: none).")
                    .defaultValue(text(SIDECAR_DEFAULTS.cpuRequest()))
                    .build();
    static final Flag<String> SIDECAR_CPU_LIMIT =
            Flag.builder("--sidecar-cpu-limit", FlagType.TEXT)
                    .label("QUANTITY")
                    .description("Default sidecar CPU limit (empty: none).")
                    .defaultValue(text(SIDECAR_DEFAULTS.cpuLimit()))
                    .build();
    static final Flag<String> SIDECAR_MEMORY_REQUEST =
            Flag.builder("--sidecar-memory-request", FlagType.TEXT)
                    .label("QUANTITY")
                    .description("Default sidecar memory request (empty: none).")
                    .defaultValue(text(SIDECAR_DEFAULTS.memoryRequest()))
                    .build();
    static final Flag<String> SIDECAR_MEMORY_LIMIT =
            Flag.builder("--sidecar-memory-limit", FlagType.TEXT)
                    .label("QUANTITY")
                    .description("Default sidecar memory limit (empty: none).")
                    .defaultValue(text(SIDECAR_DEFAULTS.memoryLimit()))
                    .build();
    static final Flag<String> SIDECAR_IDLE_TIMEOUT =
            Flag.builder("--sidecar-idle-timeout", FlagType.TEXT)
                    .label("DURATION")
                    .description("Sidecars' --idle-timeout (empty: the sidecar's default).")
                    .build();
    static final Flag<String> SIDECAR_HEADER_TIMEOUT =
            Flag.builder("--sidecar-header-timeout", FlagType.TEXT)
                    .label("DURATION")
                    .description("Sidecars' --header-timeout (empty: the sidecar's default).")
                    .build();
    static final Flag<String> SIDECAR_MAX_HEADER_BYTES =
            Flag.builder("--sidecar-max-header-bytes", FlagType.TEXT)
                    .label("BYTES")
                    .description("Sidecars' --max-header-bytes (empty: the sidecar's default).")
                    .build();
    static final Flag<String> SIDECAR_REQUEST_BYTES_IN_FLIGHT =
            Flag.builder("--sidecar-request-bytes-in-flight", FlagType.TEXT)
                    .label("BYTES")
                    .description(
                            "Sidecars' --request-bytes-in-flight, e.g. 64Mi (empty: the sidecar's"
                                    + " default, a quarter of its heap).")
                    .build();
    static final Flag<Long> SIDECAR_RUN_AS_USER =
            Flag.builder("--sidecar-run-as-user", FlagType.LONG)
                    .label("UID")
                    .description("UID (and GID) the sidecar runs as.")
                    .defaultValue(String.valueOf(SIDECAR_DEFAULTS.runAsUser()))
                    .build();
    static final Flag<Long> TOKEN_EXPIRATION_SECONDS =
            Flag.builder("--token-expiration-seconds", FlagType.LONG)
                    .description(
                            "Lifetime of the projected ServiceAccount token (audience wasmbind).")
                    .defaultValue(String.valueOf(SIDECAR_DEFAULTS.tokenExpirationSeconds()))
                    .build();
    static final Flag<LogLevel> LOG_LEVEL =
            Flag.builder("--log-level", LogOptions.LEVEL)
                    .description("The injector's own log level (error, warn, info, debug, trace).")
                    .defaultValue(DEFAULTS.logLevel().name())
                    .build();
    static final Flag<LogFormat> LOG_FORMAT =
            Flag.builder("--log-format", LogOptions.FORMAT)
                    .description("text, or json (one JSON object per line).")
                    .defaultValue(DEFAULTS.logFormat().name())
                    .build();

    static final Command COMMAND =
            Command.builder("wasmbind-injector")
                    .description(
                            "Mutating admission webhook that injects the wasmbind sidecar into"
                                    + " pods.")
                    .version(ManifestVersion.of(InjectorCommand.class))
                    .environmentPrefix("WASMBIND_INJECTOR_")
                    .flags(
                            PORT,
                            HOST,
                            TLS_CERT,
                            TLS_KEY,
                            TLS_RELOAD_INTERVAL,
                            SELF_MANAGED_TLS,
                            TLS_SECRET,
                            SERVICE_NAME,
                            NAMESPACE,
                            WEBHOOK_CONFIGURATION,
                            SIDECAR_IMAGE,
                            SIDECAR_IMAGE_PULL_POLICY,
                            NATIVE_SIDECAR,
                            MODULE_SERVICE,
                            MODULE_SERVICE_CA_FILE,
                            SIDECAR_LOG_LEVEL,
                            SIDECAR_CPU_REQUEST,
                            SIDECAR_CPU_LIMIT,
                            SIDECAR_MEMORY_REQUEST,
                            SIDECAR_MEMORY_LIMIT,
                            SIDECAR_IDLE_TIMEOUT,
                            SIDECAR_HEADER_TIMEOUT,
                            SIDECAR_MAX_HEADER_BYTES,
                            SIDECAR_REQUEST_BYTES_IN_FLIGHT,
                            SIDECAR_RUN_AS_USER,
                            TOKEN_EXPIRATION_SECONDS,
                            LOG_LEVEL,
                            LOG_FORMAT)
                    .build();

    private InjectorCommand() {}

    public static void main(String[] args) {
        int exit = COMMAND.execute(args, System.out, System.err, InjectorCommand::run);
        if (exit != Command.EXIT_OK) {
            System.exit(exit);
        }
    }

    private static String text(Quantity quantity) {
        return quantity == null ? "" : quantity.toString();
    }

    /** Starts the webhook and waits until the JVM is stopped. */
    static int run(FlagValues flags) throws Exception {
        InjectorSettings settings;
        try {
            settings = settings(flags).requireComplete();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
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
            return Command.EXIT_FAILURE;
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
        return Command.EXIT_OK;
    }

    private static void await(io.vertx.core.Future<?> future) {
        future.toCompletionStage()
                .toCompletableFuture()
                .completeOnTimeout(null, 5, TimeUnit.SECONDS)
                .join();
    }

    /**
     * The flags as settings; a bad value throws {@link IllegalArgumentException} with the reason.
     */
    static InjectorSettings settings(FlagValues flags) {
        String tlsReloadInterval = flags.get(TLS_RELOAD_INTERVAL);
        String sidecarImage = flags.get(SIDECAR_IMAGE);
        return DEFAULTS.withServer(flags.get(HOST), flags.get(PORT))
                .withTlsFiles(
                        flags.get(TLS_CERT),
                        flags.get(TLS_KEY),
                        tlsReloadInterval == null || tlsReloadInterval.isBlank()
                                ? null
                                : GoDuration.parse(tlsReloadInterval))
                .withSelfManagedTls(
                        flags.get(SELF_MANAGED_TLS),
                        flags.get(TLS_SECRET),
                        flags.get(SERVICE_NAME),
                        flags.get(NAMESPACE),
                        flags.get(WEBHOOK_CONFIGURATION))
                .withSidecar(
                        sidecarImage == null || sidecarImage.isBlank()
                                ? null
                                : SidecarConfig.builder()
                                        .image(sidecarImage)
                                        .imagePullPolicy(flags.get(SIDECAR_IMAGE_PULL_POLICY))
                                        .nativeSidecar(flags.get(NATIVE_SIDECAR))
                                        .moduleServiceUrl(flags.get(MODULE_SERVICE))
                                        .moduleServiceCaFile(flags.get(MODULE_SERVICE_CA_FILE))
                                        .injectorVersion(ManifestVersion.of(InjectorCommand.class))
                                        .logLevel(flags.get(SIDECAR_LOG_LEVEL))
                                        .cpuRequest(flags.get(SIDECAR_CPU_REQUEST))
                                        .cpuLimit(flags.get(SIDECAR_CPU_LIMIT))
                                        .memoryRequest(flags.get(SIDECAR_MEMORY_REQUEST))
                                        .memoryLimit(flags.get(SIDECAR_MEMORY_LIMIT))
                                        .runAsUser(flags.get(SIDECAR_RUN_AS_USER))
                                        .tokenExpirationSeconds(flags.get(TOKEN_EXPIRATION_SECONDS))
                                        .serverLimits(
                                                flags.get(SIDECAR_IDLE_TIMEOUT),
                                                flags.get(SIDECAR_HEADER_TIMEOUT),
                                                flags.get(SIDECAR_MAX_HEADER_BYTES),
                                                flags.get(SIDECAR_REQUEST_BYTES_IN_FLIGHT))
                                        .build())
                .withLogging(flags.get(LOG_LEVEL), flags.get(LOG_FORMAT));
    }
}
