package dev.wasmbind.command;

/**
 * A command line that cannot run: an unknown flag, a missing or bad value, or settings that do not
 * fit together. {@link Command#execute} prints the message and exits with {@link
 * Command#EXIT_USAGE}.
 */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
