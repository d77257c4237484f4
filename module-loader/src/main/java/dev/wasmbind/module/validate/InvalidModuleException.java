package dev.wasmbind.module.validate;

/** A module the runtime refuses to run, with the reason in words and as a {@link Reason}. */
public final class InvalidModuleException extends Exception {

    /** Why a module is refused; callers map these to status conditions and HTTP errors. */
    public enum Reason {
        TOO_LARGE,
        NOT_WASM,
        COMPONENT,
        MALFORMED,
        MISSING_EXPORT,
        UNSUPPORTED_IMPORT,
        /** It needs more of a resource than the runtime allows (a table's size). */
        LIMIT_EXCEEDED
    }

    private final Reason reason;

    public InvalidModuleException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidModuleException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
