package dev.wasmbind.module.source;

/** A module could not be fetched; {@link #getMessage()} says why in words. */
public final class FetchException extends Exception {

    /** Why a fetch failed; callers map these to status conditions, events and HTTP errors. */
    public enum Reason {
        UNSUPPORTED_SCHEME,
        REFUSED,
        BLOCKED_ADDRESS,
        NOT_FOUND,
        AUTH_FAILED,
        TIMEOUT,
        TOO_LARGE,
        DIGEST_MISMATCH,
        BAD_RESPONSE,
        IO_ERROR
    }

    private final Reason reason;

    public FetchException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public FetchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** True when trying again later may succeed (network trouble), false for a wrong spec. */
    public boolean isTransient() {
        return switch (reason) {
            case TIMEOUT, IO_ERROR, BAD_RESPONSE -> true;
            default -> false;
        };
    }
}
