package dev.wasmbind.command;

import ch.qos.logback.classic.Level;
import java.util.Locale;

/** Log levels, named as Dapr names them; parsed case-insensitively ({@code INFO} works too). */
public enum LogLevel {
    error(Level.ERROR),
    warn(Level.WARN),
    info(Level.INFO),
    debug(Level.DEBUG),
    trace(Level.TRACE);

    private final Level level;

    LogLevel(Level level) {
        this.level = level;
    }

    Level logbackLevel() {
        return level;
    }

    /** The level named {@code text}, whatever its case. */
    public static LogLevel parse(String text) {
        try {
            return valueOf(text.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "log level '" + text + "' is not one of error, warn, info, debug, trace", e);
        }
    }
}
