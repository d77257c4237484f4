package dev.wasmbind.sidecar.binding;

/** A call that did not produce an answer; {@link CallOutcome} says which way it failed. */
public final class CallException extends Exception {

    private final CallOutcome outcome;

    public CallException(CallOutcome outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    public CallOutcome outcome() {
        return outcome;
    }
}
