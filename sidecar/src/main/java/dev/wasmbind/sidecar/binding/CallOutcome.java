package dev.wasmbind.sidecar.binding;

import java.util.Locale;

/** How a call ended; the {@code outcome} label of the call metrics. */
public enum CallOutcome {
    SUCCESS,
    MALFORMED_REQUEST,
    NOT_FOUND,
    NOT_LOADED,
    UNSUPPORTED_OPERATION,
    REQUEST_TOO_LARGE,
    BUSY,
    TIMEOUT,
    EXIT,
    TRAP,
    RESPONSE_TOO_LARGE,
    MEMORY_LIMIT,
    /** The sidecar cannot take the call now (guest memory budget); retry later. */
    OVERLOADED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
