package dev.wasmbind.sidecar;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.command.FlagDefaults;
import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.LogOptions;
import dev.wasmbind.command.Logging;
import dev.wasmbind.command.ManifestVersion;
import dev.wasmbind.sidecar.http.ServerLimits;
import dev.wasmbind.sidecar.inpod.InPodSidecar;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar wasmbind-sidecar.jar}: the flags, mapped onto {@link SidecarSettings}.
 * Standalone mode with {@code --resources DIR}; in-pod mode (the injector's flags) with {@code
 * --module-service URL --modules-dir DIR}.
 */
@Command(
        name = "wasmbind-sidecar",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        defaultValueProvider = SidecarCommand.Defaults.class,
        description =
                "Runs WASI programs behind Dapr's output-binding HTTP API"
                        + " (POST /v1.0/bindings/{name}).")
public final class SidecarCommand implements Callable<Integer> {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    /** Flag defaults from {@link SidecarSettings#defaults()}; the sidecar reads no env vars. */
    static final class Defaults extends FlagDefaults {
        Defaults() {
            super(null, flagDefaults(SidecarSettings.defaults()));
        }

        private static Map<String, String> flagDefaults(SidecarSettings d) {
            ServerLimits limits = d.serverLimits();
            return Map.ofEntries(
                    Map.entry("--http-port", String.valueOf(d.httpPort())),
                    Map.entry("--listen-address", d.listenAddress()),
                    Map.entry("--app-id", d.appId()),
                    Map.entry("--log-level", d.logLevel().name()),
                    Map.entry("--log-format", d.logFormat().name()),
                    Map.entry("--grpc-port", String.valueOf(d.grpcPort())),
                    Map.entry("--health-port", String.valueOf(d.healthPort())),
                    Map.entry("--idle-timeout", GoDuration.format(limits.idleTimeout())),
                    Map.entry("--header-timeout", GoDuration.format(limits.headerTimeout())),
                    Map.entry("--max-header-bytes", String.valueOf(limits.maxHeaderBytes())),
                    Map.entry(
                            "--request-bytes-in-flight",
                            String.valueOf(limits.requestBytesInFlight())));
        }
    }

    /** Go/Kubernetes durations ({@code 10s}, {@code 1m30s}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return GoDuration.parse(value);
        }
    }

    /** Bytes, or binary quantities ({@code 64Mi}). */
    static final class BytesConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return ServerLimits.parseBytes(value);
        }
    }

    @Option(
            names = "--resources",
            paramLabel = "DIR",
            description = "Folder of WasmBinding YAML files to serve (standalone mode).")
    Path resources;

    @Option(
            names = "--http-port",
            description = "Port of Dapr's HTTP API (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
            names = "--listen-address",
            description = "Address the HTTP API listens on (default: ${DEFAULT-VALUE}).")
    String listenAddress;

    @Option(
            names = "--app-id",
            description = "The id /v1.0/metadata reports (default: ${DEFAULT-VALUE}).")
    String appId;

    @Option(
            names = "--log-level",
            converter = LogOptions.LevelConverter.class,
            description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogLevel logLevel;

    @Option(
            names = "--log-format",
            converter = LogOptions.FormatConverter.class,
            description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Option(
            names = "--grpc-port",
            description =
                    "Port of Dapr's gRPC API on the listen address; -1 serves none (default:"
                            + " ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(
            names = "--module-service",
            paramLabel = "URL",
            description =
                    "In-pod mode: the operator's module service (https), whose CA certificate is"
                            + " read from $"
                            + InPodSidecar.CA_ENV
                            + " and the namespace from $"
                            + InPodSidecar.NAMESPACE_ENV
                            + ".")
    String moduleService;

    @Option(
            names = "--modules-dir",
            paramLabel = "DIR",
            description = "In-pod mode: where modules are kept across container restarts.")
    Path modulesDir;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "In-pod mode: the projected ServiceAccount token (reread per request).")
    Path tokenFile;

    @Option(
            names = "--bindings",
            paramLabel = "A,B",
            description = "In-pod mode: the bindings to serve (default: all of the namespace).")
    String bindings;

    @Option(
            names = "--health-port",
            description =
                    "In-pod mode: port of /v1.0/healthz and /metrics on all addresses, for"
                            + " kubelet and Prometheus (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Close a connection of the HTTP servers silent this long (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--header-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Close a connection that has not sent a request's headers this long after"
                            + " connecting or after its last answer (default: ${DEFAULT-VALUE}).")
    Duration headerTimeout;

    @Option(
            names = "--max-header-bytes",
            paramLabel = "BYTES",
            description =
                    "Largest request line plus headers; larger answers 431 (default:"
                            + " ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(
            names = "--request-bytes-in-flight",
            paramLabel = "BYTES",
            converter = BytesConverter.class,
            description =
                    "Request bodies all calls may hold together (bytes or 64Mi); beyond it a call"
                            + " answers 503 with Retry-After (default: a quarter of -Xmx, here"
                            + " ${DEFAULT-VALUE}).")
    long requestBytesInFlight;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SidecarCommand()).execute(args));
    }

    /** The flags as settings. */
    SidecarSettings settings() {
        return SidecarSettings.defaults()
                .withResources(resources)
                .withHttp(listenAddress, httpPort)
                .withAppId(appId)
                .withLogging(logLevel, logFormat)
                .withGrpcPort(grpcPort)
                .withInPod(modulesDir, bindings, moduleService, tokenFile, healthPort)
                .withServerLimits(
                        new ServerLimits(
                                idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight));
    }

    @Override
    public Integer call() throws Exception {
        SidecarSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("wasmbind-sidecar: " + e.getMessage());
            return EXIT_USAGE;
        }
        Logging.configure(settings.logLevel(), settings.logFormat());
        Logger log = LoggerFactory.getLogger(SidecarCommand.class);
        AutoCloseable sidecar;
        int port;
        try {
            if (settings.standaloneResources().isPresent()) {
                var standalone = standalone(settings);
                sidecar = standalone;
                port = standalone.port();
            } else if (settings.moduleService() != null) {
                var inPod = inPod(settings);
                sidecar = inPod;
                port = inPod.port();
            } else {
                System.err.println(
                        "wasmbind-sidecar: give --resources DIR (standalone) or --module-service"
                                + " URL --modules-dir DIR (in a pod, as the injector does)");
                return EXIT_USAGE;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("wasmbind-sidecar: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return EXIT_FAILURE;
        }
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        log.atInfo()
                .addKeyValue("port", port)
                .addKeyValue("startupMillis", uptime)
                .log(
                        "wasmbind sidecar listening on http://{}:{} ({} ms after JVM start)",
                        settings.listenAddress(),
                        port,
                        uptime);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    try {
                                        sidecar.close();
                                    } catch (Exception e) {
                                        log.warn("shutdown was not clean: {}", e.toString());
                                    }
                                    stopped.countDown();
                                }));
        stopped.await();
        return 0;
    }

    private static StandaloneSidecar standalone(SidecarSettings settings)
            throws IOException, InterruptedException {
        return StandaloneSidecar.builder(settings.resources())
                .withHost(settings.listenAddress())
                .withPort(settings.httpPort())
                .withGrpcPort(settings.grpcPort())
                .withAppId(settings.appId())
                .withServerLimits(settings.serverLimits())
                .start();
    }

    private static InPodSidecar inPod(SidecarSettings settings) throws IOException {
        if (settings.modulesDir() == null) {
            throw new IllegalArgumentException("in-pod mode needs --modules-dir DIR");
        }
        return InPodSidecar.builder()
                .withModuleService(URI.create(settings.moduleService()))
                .withCaPem(System.getenv(InPodSidecar.CA_ENV))
                .withTokenFile(settings.tokenFile())
                .withNamespace(System.getenv(InPodSidecar.NAMESPACE_ENV))
                .withBindings(settings.bindingNames())
                .withModulesDir(settings.modulesDir())
                .withHost(settings.listenAddress())
                .withPort(settings.httpPort())
                .withGrpcPort(settings.grpcPort())
                .withHealthPort(settings.healthPort())
                .withAppId(settings.appId())
                .withServerLimits(settings.serverLimits())
                .start();
    }
}
