package dev.wasmbind.operator.reconciler;

import java.util.Objects;

/** Why a binding cannot be served: a typed reason and a message in words for the status. */
public final class BindingFailure extends Exception {

    private final FailureReason reason;

    public BindingFailure(FailureReason reason, String message) {
        this(reason, message, null);
    }

    public BindingFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public FailureReason reason() {
        return reason;
    }
}
