package dev.wasmbind.sidecar.wasihttp;

/** A guest's request that was refused or failed; the message says why, for the call's answer. */
final class OutboundException extends Exception {

    private final OutboundMetrics.Outcome outcome;

    OutboundException(OutboundMetrics.Outcome outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    OutboundMetrics.Outcome outcome() {
        return outcome;
    }
}
