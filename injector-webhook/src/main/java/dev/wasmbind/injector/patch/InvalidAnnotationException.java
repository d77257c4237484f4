package dev.wasmbind.injector.patch;

/**
 * A wasmbind.dev/* annotation value the injector cannot use; the message names the key and the fix.
 */
public final class InvalidAnnotationException extends Exception {

    private final String annotation;

    public InvalidAnnotationException(String annotation, String value, String fix) {
        super("annotation " + annotation + ": \"" + value + "\" is invalid: " + fix);
        this.annotation = annotation;
    }

    public String annotation() {
        return annotation;
    }
}
