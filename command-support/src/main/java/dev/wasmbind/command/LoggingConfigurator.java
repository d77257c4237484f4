package dev.wasmbind.command;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.io.PrintStream;

/**
 * Logback's start-up configuration for the three binaries (a {@code ServiceLoader} service logback
 * asks before its own): {@link Logging}'s text format at info, until the flags are parsed and
 * {@link Logging#configure(LogLevel, LogFormat)} replaces it. A {@code logback-test.xml} or {@code
 * logback.xml} on the class path, or {@code -Dlogback.configurationFile}, still wins (tests
 * configure logback so).
 *
 * <p>Why: logback's own default builds a console appender with its TTLL layout and, having no
 * status listener, prints its status through {@code StatusPrinter}; both date formatters read the
 * JDK's time-zone database for the local zone (~15 ms of every start), only for {@code
 * Logging.configure} to throw the appender away. Our pattern prints UTC, and {@link
 * WarningsToStderr} reports logback's own warnings and errors as the printer would.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LoggingConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null
                || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logging.configure(context, LogLevel.info, LogFormat.text);
        var warnings = new WarningsToStderr(System.err);
        context.getStatusManager().getCopyOfStatusList().forEach(warnings::addStatusEvent);
        context.getStatusManager().add(warnings);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Prints logback's warnings and errors about itself (a broken appender, say) to stderr until
     * {@code Logging.configure} resets the context; its presence keeps logback from starting its
     * {@code StatusPrinter}.
     */
    static final class WarningsToStderr implements StatusListener {
        private final PrintStream out;

        WarningsToStderr(PrintStream out) {
            this.out = out;
        }

        @Override
        public void addStatusEvent(Status status) {
            if (status.getEffectiveLevel() >= Status.WARN) {
                out.println("logback: " + status);
                if (status.getThrowable() != null) {
                    status.getThrowable().printStackTrace(out);
                }
            }
        }
    }
}
