package dev.wasmbind.sidecar;

import dev.wasmbind.command.FlagDefaults;
import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.LogOptions;
import dev.wasmbind.command.Logging;
import dev.wasmbind.command.ManifestVersion;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
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
 * Standalone mode only for now: {@code --resources DIR}.
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
            return Map.of(
                    "--http-port", String.valueOf(d.httpPort()),
                    "--listen-address", d.listenAddress(),
                    "--app-id", d.appId(),
                    "--log-level", d.logLevel().name(),
                    "--log-format", d.logFormat().name());
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

    // In-pod mode (being wired): accepted so the injector's flags parse, refused below.
    @Option(names = "--modules-dir", hidden = true)
    Path modulesDir;

    @Option(names = "--bindings", hidden = true)
    String bindings;

    @Option(names = "--module-service", hidden = true)
    String moduleService;

    @Option(names = "--token-file", hidden = true)
    Path tokenFile;

    @Option(names = "--grpc-port", hidden = true)
    Integer grpcPort;

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
                .withInPod(modulesDir, bindings, moduleService, tokenFile, grpcPort);
    }

    @Override
    public Integer call() throws Exception {
        SidecarSettings settings = settings();
        Logging.configure(settings.logLevel(), settings.logFormat());
        Logger log = LoggerFactory.getLogger(SidecarCommand.class);
        if (settings.standaloneResources().isEmpty()) {
            System.err.println(
                    "wasmbind-sidecar: in-pod mode (--modules-dir, --module-service, --bindings)"
                            + " is not implemented yet; run standalone with --resources DIR");
            return EXIT_USAGE;
        }
        StandaloneSidecar sidecar;
        try {
            sidecar =
                    StandaloneSidecar.builder(settings.resources())
                            .withHost(settings.listenAddress())
                            .withPort(settings.httpPort())
                            .withAppId(settings.appId())
                            .start();
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return EXIT_FAILURE;
        }
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        log.atInfo()
                .addKeyValue("port", sidecar.port())
                .addKeyValue("bindings", sidecar.registry().all().size())
                .addKeyValue("startupMillis", uptime)
                .log(
                        "wasmbind sidecar ready on http://{}:{} ({} ms after JVM start)",
                        settings.listenAddress(),
                        sidecar.port(),
                        uptime);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    sidecar.close();
                                    stopped.countDown();
                                }));
        stopped.await();
        return 0;
    }
}
