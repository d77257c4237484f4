package dev.wasmbind.sidecar.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dapr's output-binding envelope {@code {"operation":…,"data":…,"metadata":{…}}}, decoded as daprd
 * decodes it into {@code OutputBindingRequest}: field names match case-insensitively, {@code
 * metadata} is a {@code map[string]string}, and {@code data} is re-encoded with Go's {@code
 * json.Marshal} ({@code null} when absent).
 *
 * @param operation the operation, {@code ""} when absent
 * @param data the decoded {@code data} value (see {@link GoJsonDecoder})
 * @param metadata the metadata, empty when absent
 */
public record BindingRequest(String operation, Object data, Map<String, String> metadata) {

    private static final String TYPE = "OutputBindingRequest";

    /** The bytes daprd hands to the binding: {@code data} JSON-encoded the Go way. */
    public byte[] encodedData() {
        return GoJsonEncoder.encode(data);
    }

    /** With {@code rawData}: a JSON string's contents as they are, anything else encoded. */
    public byte[] stdin(boolean rawData) {
        if (rawData && data instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return encodedData();
    }

    /** {@code metadata.args} split on {@code ","}, as the wasm binding does; empty when unset. */
    public List<String> args() {
        String args = metadata.getOrDefault("args", "");
        return args.isEmpty() ? List.of() : List.of(args.split(",", -1));
    }

    /**
     * Decodes a request body. Messages are Go's, so a Dapr client sees the same text: syntax errors
     * first, then the first type error.
     */
    public static BindingRequest parse(byte[] body) throws GoJsonException {
        Object root = GoJsonDecoder.decode(body);
        if (root == null) {
            return new BindingRequest("", null, Map.of());
        }
        if (!(root instanceof Map<?, ?> fields)) {
            throw new GoJsonException(
                    "json: cannot unmarshal "
                            + GoJsonDecoder.goKind(root)
                            + " into Go value of type http."
                            + TYPE);
        }
        String operation = "";
        Object data = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        String firstError = null;
        for (var field : fields.entrySet()) {
            String key = (String) field.getKey();
            Object value = field.getValue();
            switch (fieldOf(key)) {
                case "operation" -> {
                    if (value instanceof String s) {
                        operation = s;
                    } else if (value != null && firstError == null) {
                        firstError = fieldError(value, "operation", "string");
                    }
                }
                case "data" -> data = value;
                case "metadata" -> {
                    if (value == null) {
                        metadata.clear();
                    } else if (value instanceof Map<?, ?> entries) {
                        for (var entry : entries.entrySet()) {
                            Object v = entry.getValue();
                            if (v instanceof String s) {
                                metadata.put((String) entry.getKey(), s);
                            } else if (v == null) {
                                metadata.put((String) entry.getKey(), "");
                            } else if (firstError == null) {
                                firstError = fieldError(v, "metadata", "string");
                            }
                        }
                    } else if (firstError == null) {
                        firstError = fieldError(value, "metadata", "map[string]string");
                    }
                }
                default -> {
                    // Go ignores unknown fields.
                }
            }
        }
        if (firstError != null) {
            throw new GoJsonException(firstError);
        }
        return new BindingRequest(operation, data, Map.copyOf(metadata));
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

    private static String fieldError(Object value, String field, String goType) {
        return "json: cannot unmarshal "
                + GoJsonDecoder.goKind(value)
                + " into Go struct field "
                + TYPE
                + "."
                + field
                + " of type "
                + goType;
    }
}
