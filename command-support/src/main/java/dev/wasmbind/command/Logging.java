package dev.wasmbind.command;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The one logging set-up of the three binaries, in code (no XML to find on the class path): one
 * console appender on stdout, text or one JSON object per line.
 */
public final class Logging {

    /**
     * UTC timestamp, level, thread, logger, message with control characters escaped ({@link
     * EscapedMessageConverter}: a name or a server's answer cannot forge a line), then the event's
     * key/value pairs (the {@code %replace} drops the separating space when there are none), then
     * the stack trace if any, its exception messages escaped too ({@link
     * EscapedThrowableConverter}; without a throwable converter in the pattern logback would add
     * its own, unescaped).
     */
    static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{36} - %emsg"
                    + "%replace( %kvp){'^ $', ''}%n%eex";

    /** Libraries that are chatty below these levels; they never log more than this. */
    private static final Map<String, Level> QUIET =
            Map.of(
                    "io.netty", Level.WARN,
                    "io.vertx", Level.WARN,
                    "land.oras", Level.WARN,
                    "io.fabric8", Level.INFO);

    private Logging() {}

    /**
     * Replaces what logback set up at its start ({@link LoggingConfigurator}: this text format at
     * info); call first thing in {@code call()}.
     */
    public static void configure(LogLevel level, LogFormat format) {
        configure((LoggerContext) LoggerFactory.getILoggerFactory(), level, format);
    }

    static void configure(LoggerContext context, LogLevel level, LogFormat format) {
        context.reset();
        Encoder<ILoggingEvent> encoder = format == LogFormat.json ? json() : text(context);
        encoder.setContext(context);
        encoder.start();
        var appender = new ConsoleAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("console");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(level.logbackLevel());
        QUIET.forEach(
                (name, floor) ->
                        context.getLogger(name)
                                .setLevel(
                                        floor.isGreaterOrEqual(level.logbackLevel())
                                                ? floor
                                                : level.logbackLevel()));
    }

    /** Lets {@code logger} log only at {@code level} and above, whatever the binary's level. */
    public static void quiet(String logger, LogLevel level) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(logger).setLevel(level.logbackLevel());
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        var layout = new PatternLayout();
        layout.getInstanceConverterMap().put("emsg", EscapedMessageConverter::new);
        layout.getInstanceConverterMap().put("eex", EscapedThrowableConverter::new);
        layout.setPattern(TEXT_PATTERN);
        layout.setContext(context);
        layout.start();
        var encoder = new LayoutWrappingEncoder<ILoggingEvent>();
        encoder.setLayout(layout);
        return encoder;
    }

    /** timestamp, level, threadName, loggerName, formattedMessage, kvpList, throwable. */
    private static Encoder<ILoggingEvent> json() {
        var json = new JsonEncoder();
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false);
        json.setWithMDC(false);
        json.setWithMessage(false);
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        return json;
    }
}
