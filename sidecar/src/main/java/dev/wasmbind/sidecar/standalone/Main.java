package dev.wasmbind.sidecar.standalone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sidecar's command line. Standalone mode only for now: {@code --resources DIR}. */
@Command(
        name = "wasmbind-sidecar",
        mixinStandardHelpOptions = true,
        version = "wasmbind-sidecar 0.1.0",
        description =
                "Runs WASI programs behind Dapr's output-binding HTTP API"
                        + " (POST /v1.0/bindings/{name}).")
public final class Main implements Callable<Integer> {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @Option(
            names = "--resources",
            paramLabel = "DIR",
            description = "Folder of WasmBinding YAML files to serve (standalone mode).")
    Path resources;

    @Option(
            names = "--http-port",
            defaultValue = "3500",
            description = "Port of Dapr's HTTP API (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
            names = "--listen-address",
            defaultValue = "127.0.0.1",
            description = "Address the HTTP API listens on (default: ${DEFAULT-VALUE}).")
    String listenAddress;

    @Option(
            names = "--app-id",
            defaultValue = "wasmbind",
            description = "The id /v1.0/metadata reports (default: ${DEFAULT-VALUE}).")
    String appId;

    /** Log levels, as Dapr names them. */
    enum LogLevel {
        error,
        warn,
        info,
        debug,
        trace
    }

    /** Log line formats. */
    enum LogFormat {
        text,
        json
    }

    @Option(
            names = "--log-level",
            defaultValue = "info",
            description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogLevel logLevel;

    @Option(
            names = "--log-format",
            defaultValue = "text",
            description = "One of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    // In-pod mode (a later issue): accepted so the injector's flags parse, refused below.
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
        System.exit(
                new CommandLine(new Main())
                        .setCaseInsensitiveEnumValuesAllowed(true)
                        .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        configureLogging(logLevel.name(), logFormat);
        Logger log = LoggerFactory.getLogger(Main.class);
        if (resources == null) {
            System.err.println(
                    "wasmbind-sidecar: in-pod mode (--modules-dir, --module-service, --bindings)"
                            + " is not implemented yet; run standalone with --resources DIR");
            return EXIT_USAGE;
        }
        StandaloneSidecar sidecar;
        try {
            sidecar =
                    StandaloneSidecar.builder(resources)
                            .withHost(listenAddress)
                            .withPort(httpPort)
                            .withAppId(appId)
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
                        listenAddress,
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

    /** Logback set up in code: one console appender, text or JSON lines. */
    static void configureLogging(String level, LogFormat format) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (format == LogFormat.json) {
            var json = new JsonEncoder();
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithContext(false);
            encoder = json;
        } else {
            var pattern = new PatternLayoutEncoder();
            pattern.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} %kvp %msg%n");
            encoder = pattern;
        }
        encoder.setContext(context);
        encoder.start();
        var appender = new ConsoleAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("console");
        appender.setEncoder(encoder);
        appender.start();
        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.toLevel(level, Level.INFO));
        // Netty and Vert.x are chatty below info.
        context.getLogger("io.netty").setLevel(Level.INFO);
    }
}
