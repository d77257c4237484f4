package dev.wasmbind.operator.reconciler;

/** The spec cannot be acted on; retrying without a spec change would not help. */
public final class InvalidSpecException extends Exception {

    public InvalidSpecException(String message) {
        super(message);
    }
}
