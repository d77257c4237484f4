package dev.wasmbind.sidecar.inpod;

import java.time.Duration;
import java.util.Optional;

/** A request to the module service that did not give a usable answer. */
public final class ModuleServiceException extends Exception {

    /** Why; decides nothing but the log line and metadata (every failure is retried). */
    public enum Kind {
        /** No connection, TLS failure, timeout. */
        UNREACHABLE,
        /** 401 or 403: the token is missing, expired or of another namespace. */
        DENIED,
        /** 429: wait at least {@link #retryAfter()}. */
        RATE_LIMITED,
        /** Any other status, or a body that breaks the protocol. */
        BAD_RESPONSE
    }

    private final Kind kind;
    private final Duration retryAfter;

    ModuleServiceException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    ModuleServiceException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The server's {@code Retry-After}, when it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
