package dev.wasmbind.sidecar.spec;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.Outbound;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a WasmBinding spec from plain values (maps, lists, strings, booleans, numbers and nulls, as
 * standalone mode reads its YAML files and in-pod mode the module service's JSON) into a {@link
 * WasmBindingSpec}. The one reader of a spec in the sidecar, without Jackson databind: binding the
 * spec with databind cost ~250 ms of the main thread and ~600 classes at start
 * (docs/bench/startup.md, round 4). The operator still reads the same types with fabric8/Jackson.
 *
 * <p>A field accepts what Jackson accepted, except where Jackson guessed: a string field takes any
 * scalar as its text; a boolean field {@code true}/{@code false}, YAML 1.1's {@code yes/no/on/off}
 * and {@code 1/0}, in any case, also as strings; an integer field an integral number, also written
 * as a string; a quantity a non-empty string or a number, kept as its text. An absent field, a null
 * and, for booleans and integers, an empty string leave the field unset. Errors name the field's
 * path ({@code limits.maxConcurrency must be an integer, got "many"}). Checking values (ranges,
 * durations, sizes) stays with {@link Limits} and the binding loader.
 */
public final class WasmBindingSpecReader {

    private static final List<String> SPEC_FIELDS =
            List.of(
                    "url",
                    "sha256",
                    "strictSandbox",
                    "rawData",
                    "args",
                    "env",
                    "limits",
                    "outbound",
                    "pullSecret",
                    "refreshInterval");
    private static final List<String> LIMITS_FIELDS =
            List.of(
                    "timeout",
                    "maxMemory",
                    "maxConcurrency",
                    "maxRequestBytes",
                    "maxResponseBytes");
    private static final List<String> OUTBOUND_FIELDS = List.of("allowedHosts");

    private static final int SHOWN_CHARACTERS = 64;

    private static final WasmBindingSpecReader REFUSING = new WasmBindingSpecReader(true);
    private static final WasmBindingSpecReader IGNORING = new WasmBindingSpecReader(false);

    private final boolean refuseUnknownFields;

    private WasmBindingSpecReader(boolean refuseUnknownFields) {
        this.refuseUnknownFields = refuseUnknownFields;
    }

    /** For specs a user wrote (standalone mode): a field the sidecar does not know is a typo. */
    public static WasmBindingSpecReader refusingUnknownFields() {
        return REFUSING;
    }

    /**
     * For specs the operator sends (in-pod mode): a newer operator may send fields this sidecar
     * does not know yet, which it ignores.
     */
    public static WasmBindingSpecReader ignoringUnknownFields() {
        return IGNORING;
    }

    /**
     * The spec {@code value} describes.
     *
     * @throws IllegalArgumentException naming the first field that is unknown or of the wrong type
     */
    public WasmBindingSpec read(Object value) {
        Map<?, ?> fields = fields("spec", "", value, SPEC_FIELDS);
        WasmBindingSpec spec = new WasmBindingSpec();
        spec.setUrl(text("url", fields.get("url")));
        spec.setSha256(text("sha256", fields.get("sha256")));
        spec.setStrictSandbox(bool("strictSandbox", fields.get("strictSandbox")));
        spec.setRawData(bool("rawData", fields.get("rawData")));
        spec.setArgs(texts("args", fields.get("args")));
        spec.setEnv(textMap("env", fields.get("env")));
        spec.setLimits(limits(fields.get("limits")));
        spec.setOutbound(outbound(fields.get("outbound")));
        spec.setPullSecret(text("pullSecret", fields.get("pullSecret")));
        spec.setRefreshInterval(text("refreshInterval", fields.get("refreshInterval")));
        return spec;
    }

    private Limits limits(Object value) {
        if (value == null) {
            return null;
        }
        Map<?, ?> fields = fields("limits", "limits.", value, LIMITS_FIELDS);
        Limits limits = new Limits();
        limits.setTimeout(text("limits.timeout", fields.get("timeout")));
        limits.setMaxMemory(quantity("limits.maxMemory", fields.get("maxMemory")));
        limits.setMaxConcurrency(integer("limits.maxConcurrency", fields.get("maxConcurrency")));
        limits.setMaxRequestBytes(
                quantity("limits.maxRequestBytes", fields.get("maxRequestBytes")));
        limits.setMaxResponseBytes(
                quantity("limits.maxResponseBytes", fields.get("maxResponseBytes")));
        return limits;
    }

    private Outbound outbound(Object value) {
        if (value == null) {
            return null;
        }
        Map<?, ?> fields = fields("outbound", "outbound.", value, OUTBOUND_FIELDS);
        Outbound outbound = new Outbound();
        outbound.setAllowedHosts(texts("outbound.allowedHosts", fields.get("allowedHosts")));
        return outbound;
    }

    /** The fields of an object, refusing unknown ones when this reader does. */
    private Map<?, ?> fields(String path, String prefix, Object value, List<String> known) {
        if (!(value instanceof Map<?, ?> fields)) {
            throw mustBe(path, "an object with fields", value);
        }
        if (refuseUnknownFields) {
            for (Object name : fields.keySet()) {
                if (!known.contains(String.valueOf(name))) {
                    throw new IllegalArgumentException(
                            "unknown field \""
                                    + prefix
                                    + name
                                    + "\" (known: "
                                    + String.join(", ", known)
                                    + ")");
                }
            }
        }
        return fields;
    }

    private static String text(String path, Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Boolean || value instanceof Number) {
            return value.toString();
        }
        throw mustBe(path, "a string", value);
    }

    private static List<String> texts(String path, Object value) {
        if (value == null) {
            return new ArrayList<>();
        }
        if (!(value instanceof List<?> items)) {
            throw mustBe(path, "a list of strings", value);
        }
        List<String> texts = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            texts.add(requiredText(path + "[" + i + "]", items.get(i)));
        }
        return texts;
    }

    private static Map<String, String> textMap(String path, Object value) {
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map<?, ?> entries)) {
            throw mustBe(path, "an object of strings", value);
        }
        Map<String, String> texts = new LinkedHashMap<>();
        entries.forEach(
                (name, text) ->
                        texts.put(String.valueOf(name), requiredText(path + "." + name, text)));
        return texts;
    }

    /** A string where a null has no meaning (an argument, a variable's value, a host). */
    private static String requiredText(String path, Object value) {
        if (value == null) {
            throw mustBe(path, "a string", null);
        }
        return text(path, value);
    }

    private static Boolean bool(String path, Object value) {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String || value instanceof Number) {
            switch (value.toString().trim().toLowerCase(Locale.ROOT)) {
                case "" -> {
                    return null;
                }
                case "true", "yes", "on", "1" -> {
                    return Boolean.TRUE;
                }
                case "false", "no", "off", "0" -> {
                    return Boolean.FALSE;
                }
                default -> {
                    // not a boolean: refused below
                }
            }
        }
        throw mustBe(path, "true or false", value);
    }

    private static Integer integer(String path, Object value) {
        if (value == null || value instanceof String text && text.isBlank()) {
            return null;
        }
        if (value instanceof String || value instanceof Number) {
            try {
                // BigDecimal only here, not in a constant: a spec without an integer never
                // initialises it (~20 ms of a start).
                BigDecimal number = new BigDecimal(value.toString().trim());
                // Compared before intValueExact, which would expand "1e999999999" first.
                if (number.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
                        && number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
                    return number.intValueExact();
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // not an integer: refused below
            }
        }
        throw mustBe(path, "an integer", value);
    }

    /** A quantity's text; {@link Limits} reads it as a size and names the field if it cannot. */
    private static String quantity(String path, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String text && !text.isEmpty() || value instanceof Number) {
            return value.toString();
        }
        throw mustBe(path, "a quantity such as 64Mi", value);
    }

    private static IllegalArgumentException mustBe(String path, String what, Object value) {
        return new IllegalArgumentException(path + " must be " + what + ", got " + shown(value));
    }

    /** A value as an error message shows it: strings quoted and cut, collections by kind. */
    private static String shown(Object value) {
        if (value instanceof String text) {
            return "\""
                    + (text.length() > SHOWN_CHARACTERS
                            ? text.substring(0, SHOWN_CHARACTERS) + "…"
                            : text)
                    + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(value);
    }
}
