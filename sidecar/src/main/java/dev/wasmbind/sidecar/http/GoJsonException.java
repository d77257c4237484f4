package dev.wasmbind.sidecar.http;

/** A body Go's {@code encoding/json} would refuse, with the message Go would give. */
public final class GoJsonException extends Exception {

    public GoJsonException(String message) {
        super(message);
    }
}
