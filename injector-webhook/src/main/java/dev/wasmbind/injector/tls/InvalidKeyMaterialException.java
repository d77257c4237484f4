package dev.wasmbind.injector.tls;

/** A certificate/key pair that cannot be served: unreadable, unparsable or not matching. */
public final class InvalidKeyMaterialException extends Exception {

    public InvalidKeyMaterialException(String message) {
        super(message);
    }

    public InvalidKeyMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
