package dev.wasmbind.sidecar.binding;

/** A call that did not produce an answer; {@link Outcome} says which way it failed. */
public final class CallException extends Exception {

    private final Outcome outcome;

    public CallException(Outcome outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }
}
