package dev.wasmbind.command;

/** The types of the {@code --log-level} and {@code --log-format} flags every binary has. */
public final class LogOptions {

    /** {@code --log-level}: error, warn, info, debug or trace, in any case. */
    public static final FlagType<LogLevel> LEVEL = FlagType.of("LEVEL", LogLevel::parse);

    /** {@code --log-format}: text or json. */
    public static final FlagType<LogFormat> FORMAT = FlagType.of("FORMAT", LogFormat::parse);

    private LogOptions() {}
}
