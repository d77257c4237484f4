package dev.wasmbind.sidecar;

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
import dev.wasmbind.sidecar.http.ServerLimits;
import dev.wasmbind.sidecar.inpod.InPodSidecar;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar wasmbind-sidecar.jar}: the flags, mapped onto {@link SidecarSettings}, whose
 * defaults they show. Standalone mode with {@code --resources DIR}; in-pod mode (the injector's
 * flags) with {@code --module-service URL --modules-dir DIR}. The sidecar reads no environment
 * variables for its flags.
 */
public final class SidecarCommand {

    private static final SidecarSettings DEFAULTS = SidecarSettings.defaults();
    private static final ServerLimits DEFAULT_LIMITS = DEFAULTS.serverLimits();

    /** Go/Kubernetes durations ({@code 10s}, {@code 1m30s}). */
    private static final FlagType<Duration> DURATION = FlagType.of("DURATION", GoDuration::parse);

    /** Bytes, or binary quantities ({@code 64Mi}). */
    private static final FlagType<Long> BYTES = FlagType.of("BYTES", ServerLimits::parseBytes);

    static final Flag<Path> RESOURCES =
            Flag.builder("--resources", FlagType.PATH)
                    .label("DIR")
                    .description("Folder of WasmBinding YAML files to serve (standalone mode).")
                    .build();
    static final Flag<Integer> HTTP_PORT =
            Flag.builder("--http-port", FlagType.INTEGER)
                    .label("PORT")
                    .description("Port of Dapr's HTTP API.")
                    .defaultValue(String.valueOf(DEFAULTS.httpPort()))
                    .build();
    static final Flag<String> LISTEN_ADDRESS =
            Flag.builder("--listen-address", FlagType.TEXT)
                    .label("ADDRESS")
                    .description("Address the HTTP and gRPC APIs listen on.")
                    .defaultValue(DEFAULTS.listenAddress())
                    .build();
    static final Flag<String> APP_ID =
            Flag.builder("--app-id", FlagType.TEXT)
                    .label("ID")
                    .description("The id /v1.0/metadata reports.")
                    .defaultValue(DEFAULTS.appId())
                    .build();
    static final Flag<LogLevel> LOG_LEVEL =
            Flag.builder("--log-level", LogOptions.LEVEL)
                    .description("One of error, warn, info, debug, trace, in any case.")
                    .defaultValue(DEFAULTS.logLevel().name())
                    .build();
    static final Flag<LogFormat> LOG_FORMAT =
            Flag.builder("--log-format", LogOptions.FORMAT)
                    .description("text, or json (one JSON object per line).")
                    .defaultValue(DEFAULTS.logFormat().name())
                    .build();
    static final Flag<Integer> GRPC_PORT =
            Flag.builder("--grpc-port", FlagType.INTEGER)
                    .label("PORT")
                    .description("Port of Dapr's gRPC API on the listen address; -1 serves none.")
                    .defaultValue(String.valueOf(DEFAULTS.grpcPort()))
                    .build();
    static final Flag<String> MODULE_SERVICE =
            Flag.builder("--module-service", FlagType.TEXT)
                    .label("URL")
                    .description(
                            "In-pod mode: the operator's module service (https), whose CA"
                                    + " certificate is read from $"
                                    + InPodSidecar.CA_ENV
                                    + " and the namespace from $"
                                    + InPodSidecar.NAMESPACE_ENV
                                    + ".")
                    .build();
    static final Flag<Path> MODULES_DIR =
            Flag.builder("--modules-dir", FlagType.PATH)
                    .label("DIR")
                    .description("In-pod mode: where modules are kept across container restarts.")
                    .build();
    static final Flag<Path> TOKEN_FILE =
            Flag.builder("--token-file", FlagType.PATH)
                    .label("FILE")
                    .description(
                            "In-pod mode: the projected ServiceAccount token (reread per request).")
                    .build();
    static final Flag<String> BINDINGS =
            Flag.builder("--bindings", FlagType.TEXT)
                    .label("A,B")
                    .description(
                            "In-pod mode: the bindings to serve, comma-separated (default: all"
                                    + " of the namespace).")
                    .build();
    static final Flag<Integer> HEALTH_PORT =
            Flag.builder("--health-port", FlagType.INTEGER)
                    .label("PORT")
                    .description(
                            "In-pod mode: port of /v1.0/healthz and /metrics on all addresses,"
                                    + " for kubelet and Prometheus.")
                    .defaultValue(String.valueOf(DEFAULTS.healthPort()))
                    .build();
    static final Flag<Duration> IDLE_TIMEOUT =
            Flag.builder("--idle-timeout", DURATION)
                    .description("Close a connection of the HTTP servers silent this long.")
                    .defaultValue(GoDuration.format(DEFAULT_LIMITS.idleTimeout()))
                    .build();
    static final Flag<Duration> HEADER_TIMEOUT =
            Flag.builder("--header-timeout", DURATION)
                    .description(
                            "Close a connection that has not sent a request's headers this long"
                                    + " after connecting or after its last answer.")
                    .defaultValue(GoDuration.format(DEFAULT_LIMITS.headerTimeout()))
                    .build();
    static final Flag<Integer> MAX_HEADER_BYTES =
            Flag.builder("--max-header-bytes", FlagType.INTEGER)
                    .label("BYTES")
                    .description("Largest request line plus headers; larger answers 431.")
                    .defaultValue(String.valueOf(DEFAULT_LIMITS.maxHeaderBytes()))
                    .build();
    static final Flag<Long> REQUEST_BYTES_IN_FLIGHT =
            Flag.builder("--request-bytes-in-flight", BYTES)
                    .description(
                            "Request bodies all calls may hold together (bytes or 64Mi); beyond"
                                    + " it a call answers 503 with Retry-After. Its default is a"
                                    + " quarter of -Xmx.")
                    .defaultValue(String.valueOf(DEFAULT_LIMITS.requestBytesInFlight()))
                    .build();

    static final Command COMMAND =
            Command.builder("wasmbind-sidecar")
                    .description(
                            "Runs WASI programs behind Dapr's output-binding HTTP API"
                                    + " (POST /v1.0/bindings/{name}).")
                    .version(ManifestVersion.of(SidecarCommand.class))
                    .flags(
                            RESOURCES,
                            HTTP_PORT,
                            LISTEN_ADDRESS,
                            APP_ID,
                            LOG_LEVEL,
                            LOG_FORMAT,
                            GRPC_PORT,
                            MODULE_SERVICE,
                            MODULES_DIR,
                            TOKEN_FILE,
                            BINDINGS,
                            HEALTH_PORT,
                            IDLE_TIMEOUT,
                            HEADER_TIMEOUT,
                            MAX_HEADER_BYTES,
                            REQUEST_BYTES_IN_FLIGHT)
                    .build();

    private SidecarCommand() {}

    public static void main(String[] args) {
        System.exit(COMMAND.execute(args, System.out, System.err, SidecarCommand::run));
    }

    /**
     * The flags as settings; throws {@link IllegalArgumentException} for values that do not fit.
     */
    static SidecarSettings settings(FlagValues flags) {
        return DEFAULTS.withResources(flags.get(RESOURCES))
                .withHttp(flags.get(LISTEN_ADDRESS), flags.get(HTTP_PORT))
                .withAppId(flags.get(APP_ID))
                .withLogging(flags.get(LOG_LEVEL), flags.get(LOG_FORMAT))
                .withGrpcPort(flags.get(GRPC_PORT))
                .withInPod(
                        flags.get(MODULES_DIR),
                        flags.get(BINDINGS),
                        flags.get(MODULE_SERVICE),
                        flags.get(TOKEN_FILE),
                        flags.get(HEALTH_PORT))
                .withServerLimits(
                        new ServerLimits(
                                flags.get(IDLE_TIMEOUT),
                                flags.get(HEADER_TIMEOUT),
                                flags.get(MAX_HEADER_BYTES),
                                flags.get(REQUEST_BYTES_IN_FLIGHT)));
    }

    /** Starts the sidecar and waits until the JVM is stopped. */
    static int run(FlagValues flags) throws Exception {
        SidecarSettings settings;
        try {
            settings = settings(flags);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
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
                throw new UsageException(
                        "give --resources DIR (standalone) or --module-service URL --modules-dir"
                                + " DIR (in a pod, as the injector does)");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return Command.EXIT_FAILURE;
        }
        OptionalLong age = ProcessAge.millis();
        if (age.isPresent()) {
            log.atInfo()
                    .addKeyValue("port", port)
                    .addKeyValue("startupMillis", age.getAsLong())
                    .log(
                            "wasmbind sidecar listening on http://{}:{} ({} ms after process"
                                    + " start)",
                            settings.listenAddress(),
                            port,
                            age.getAsLong());
        } else {
            log.atInfo()
                    .addKeyValue("port", port)
                    .log(
                            "wasmbind sidecar listening on http://{}:{}",
                            settings.listenAddress(),
                            port);
        }
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
        return Command.EXIT_OK;
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
