package dev.wasmbind.sidecar.http;

import dev.wasmbind.sidecar.binding.BindingInvoker;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dapr's output-binding envelope {@code {"operation":…,"data":…,"metadata":{…}}}, decoded as daprd
 * decodes it into {@code OutputBindingRequest}: fields in the order they come, names matched
 * case-insensitively, {@code metadata} a {@code map[string]string} (a second {@code metadata}
 * merges into the first, {@code null} clears it), and {@code data} re-encoded with Go's {@code
 * json.Marshal} ({@code null} when absent). The body is read once, from bytes to the guest's STDIN
 * (see {@link GoJsonTranscoder}); no value tree is built.
 *
 * <p>STDIN is a range of an array: of the body itself when {@code data} is a string that needs no
 * escape either way (its bytes are then its Go encoding, quotes included, and its contents), so
 * that a large payload is not copied; else of an array of its own.
 *
 * @param operation the operation, {@code ""} when absent
 * @param stdinSource holds what the guest reads, {@code stdinSource[stdinOffset,
 *     stdinOffset+stdinLength)}: {@code data} Go-encoded, or with {@code rawData} a JSON string's
 *     contents as UTF-8
 * @param metadata the metadata, empty when absent
 */
public record BindingRequest(
        String operation,
        byte[] stdinSource,
        int stdinOffset,
        int stdinLength,
        Map<String, String> metadata) {

    private BindingRequest(String operation, byte[] stdin, Map<String, String> metadata) {
        this(operation, stdin, 0, stdin.length, metadata);
    }

    /** Whether STDIN is a range of {@code body}, the array this request was decoded from. */
    boolean readsFrom(byte[] body) {
        return stdinSource == body;
    }

    /** The guest's input: STDIN (not copied) and {@code metadata.args}. */
    public BindingInvoker.GuestInput guestInput() {
        return new BindingInvoker.GuestInput(stdinSource, stdinOffset, stdinLength, args());
    }

    private static final String TYPE = "OutputBindingRequest";
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** {@code metadata.args} split on {@code ","}, as the wasm binding does; empty when unset. */
    public List<String> args() {
        String args = metadata.getOrDefault("args", "");
        return args.isEmpty() ? List.of() : List.of(args.split(",", -1));
    }

    /** Decodes a whole request body; see {@link #parse(byte[], int, int, boolean)}. */
    public static BindingRequest parse(byte[] body, boolean rawData) throws GoJsonException {
        return parse(body, 0, body.length, rawData);
    }

    /**
     * Decodes the request body in {@code body[offset, offset+length)}. Messages are Go's, so a Dapr
     * client sees the same text: syntax errors first (anywhere in the body), then the first type
     * error in the order of the body.
     *
     * @param rawData write a string {@code data}'s contents raw to STDIN instead of Go-encoded
     */
    public static BindingRequest parse(byte[] body, int offset, int length, boolean rawData)
            throws GoJsonException {
        var json = new GoJsonTranscoder(body, offset, length);
        json.skipSpace();
        if (json.atEnd()) {
            throw GoJsonTranscoder.endOfInput();
        }
        byte first = json.current();
        if (first != '{') {
            json.discardOutput();
            json.value("looking for beginning of value");
            json.endOfDocument();
            if (first == 'n') {
                return new BindingRequest("", NULL, Map.of());
            }
            throw new GoJsonException(
                    "json: cannot unmarshal "
                            + goKind(first)
                            + " into Go value of type http."
                            + TYPE);
        }
        String operation = "";
        Range stdin = new Range(NULL, 0, NULL.length);
        Map<String, String> metadata = new LinkedHashMap<>();
        String firstError = null;
        json.enter();
        json.skip();
        json.skipSpace();
        if (json.peek() == '}') {
            json.skip();
            json.leave();
        } else {
            while (true) {
                String field = fieldOf(key(json));
                if (json.atEnd()) {
                    throw GoJsonTranscoder.endOfInput();
                }
                byte c = json.current();
                switch (field) {
                    case "operation" -> {
                        if (c == '"') {
                            operation = json.stringValue();
                        } else {
                            skipValue(json);
                            if (c != 'n' && firstError == null) {
                                firstError = fieldError(c, "operation", "string");
                            }
                        }
                    }
                    case "data" -> stdin = data(json, c, rawData);
                    case "metadata" -> {
                        if (c == '{') {
                            firstError = metadata(json, metadata, firstError);
                        } else {
                            skipValue(json);
                            if (c == 'n') {
                                metadata.clear();
                            } else if (firstError == null) {
                                firstError = fieldError(c, "metadata", "map[string]string");
                            }
                        }
                    }
                    default -> skipValue(json); // Go ignores unknown fields.
                }
                if (endOfObject(json)) {
                    break;
                }
            }
        }
        json.endOfDocument();
        if (firstError != null) {
            throw new GoJsonException(firstError);
        }
        return new BindingRequest(
                operation, stdin.array, stdin.offset, stdin.length, Map.copyOf(metadata));
    }

    /** A range of an array. */
    private record Range(byte[] array, int offset, int length) {}

    /** {@code data}: Go-encoded, or a string's contents with {@code rawData}. */
    private static Range data(GoJsonTranscoder json, byte first, boolean rawData)
            throws GoJsonException {
        if (first == '"') {
            int plain = json.plainStringLength();
            if (plain >= 0) {
                // The common case, a string without escapes: its bytes in the body are STDIN.
                int start = json.position();
                json.skipPlainString(plain);
                return rawData
                        ? new Range(json.input(), start + 1, plain)
                        : new Range(json.input(), start, plain + 2);
            }
            json.startOutput(json.remaining());
            json.string(rawData);
        } else {
            // The rest of the body bounds the output but for escapes, which grow it as needed.
            json.startOutput(json.remaining());
            json.value("looking for beginning of value");
        }
        byte[] out = json.output();
        return new Range(out, 0, out.length);
    }

    /** A {@code metadata} object, merged into {@code metadata}; returns the first type error. */
    private static String metadata(
            GoJsonTranscoder json, Map<String, String> metadata, String firstError)
            throws GoJsonException {
        json.enter();
        json.skip();
        json.skipSpace();
        if (json.peek() == '}') {
            json.skip();
            json.leave();
            return firstError;
        }
        while (true) {
            String key = key(json);
            if (json.atEnd()) {
                throw GoJsonTranscoder.endOfInput();
            }
            byte c = json.current();
            if (c == '"') {
                metadata.put(key, json.stringValue());
            } else {
                skipValue(json);
                if (c == 'n') {
                    metadata.put(key, "");
                } else if (firstError == null) {
                    firstError = fieldError(c, "metadata", "string");
                }
            }
            if (endOfObject(json)) {
                return firstError;
            }
        }
    }

    /** Reads {@code "key":} and the space after it. */
    private static String key(GoJsonTranscoder json) throws GoJsonException {
        json.skipSpace();
        if (json.atEnd()) {
            throw GoJsonTranscoder.endOfInput();
        }
        if (json.current() != '"') {
            throw GoJsonTranscoder.invalid(
                    json.current(), "looking for beginning of object key string");
        }
        String key = json.stringValue();
        json.skipSpace();
        if (json.atEnd()) {
            throw GoJsonTranscoder.endOfInput();
        }
        if (json.current() != ':') {
            throw GoJsonTranscoder.invalid(json.current(), "after object key");
        }
        json.skip();
        json.skipSpace();
        return key;
    }

    /** After a member: true at the closing brace (consumed), false after a comma. */
    private static boolean endOfObject(GoJsonTranscoder json) throws GoJsonException {
        json.skipSpace();
        if (json.atEnd()) {
            throw GoJsonTranscoder.endOfInput();
        }
        byte c = json.current();
        json.skip();
        if (c == ',') {
            return false;
        }
        if (c == '}') {
            json.leave();
            return true;
        }
        throw GoJsonTranscoder.invalid(c, "after object key:value pair");
    }

    private static void skipValue(GoJsonTranscoder json) throws GoJsonException {
        json.discardOutput();
        json.value("looking for beginning of value");
    }

    /** Go matches a JSON key to a struct field exactly or, failing that, case-insensitively. */
    private static String fieldOf(String key) {
        for (String name : List.of("operation", "data", "metadata")) {
            if (name.equalsIgnoreCase(key)) {
                return name;
            }
        }
        return "";
    }

    /** The JSON type name Go uses in "cannot unmarshal X into ..." messages, by a value's start. */
    private static String goKind(byte first) {
        return switch (first) {
            case 'n' -> "null";
            case 't', 'f' -> "bool";
            case '"' -> "string";
            case '[' -> "array";
            case '{' -> "object";
            default -> "number";
        };
    }

    private static String fieldError(byte first, String field, String goType) {
        return "json: cannot unmarshal "
                + goKind(first)
                + " into Go struct field "
                + TYPE
                + "."
                + field
                + " of type "
                + goType;
    }
}
