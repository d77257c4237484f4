package dev.wasmbind.injector.patch;

/** One RFC 6902 operation. The injector only adds: it never replaces or removes what a user set. */
public record JsonPatchOperation(String op, String path, Object value) {

    public static JsonPatchOperation add(String path, Object value) {
        return new JsonPatchOperation("add", path, value);
    }

    /** Escapes one JSON Pointer segment ("/" and "~" inside a key such as an annotation name). */
    public static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
