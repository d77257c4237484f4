package dev.wasmbind.sidecar.http;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON the way daprd answers: Go's {@code json.Marshal} of the values {@link GoJsonDecoder}
 * reads. Object keys sorted by their UTF-8 bytes, no spaces, {@code <}, {@code >}, {@code &},
 * U+2028 and U+2029 escaped as backslash-u003c and so on, numbers in Go's float64 format ({@code
 * 'e'} notation outside [1e-6, 1e21), exponent without a leading zero: {@code 1e+21}, {@code
 * 1e-7}).
 */
public final class GoJsonEncoder {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Go sorts map keys as strings, i.e. by their UTF-8 bytes (not by UTF-16 units). */
    private static final Comparator<String> GO_KEY_ORDER =
            (a, b) ->
                    Arrays.compareUnsigned(
                            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private GoJsonEncoder() {}

    /** Encodes like Go's {@code json.Marshal} with HTML escaping (its default). */
    public static byte[] encode(Object value) {
        var out = new ByteArrayOutputStream();
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value) {
        if (value == null) {
            out.writeBytes(ascii("null"));
        } else if (value instanceof Boolean b) {
            out.writeBytes(ascii(b ? "true" : "false"));
        } else if (value instanceof Double d) {
            out.writeBytes(ascii(formatFloat64(d)));
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof List<?> list) {
            out.write('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                write(out, list.get(i));
            }
            out.write(']');
        } else if (value instanceof Map<?, ?> map) {
            out.write('{');
            List<String> keys = new ArrayList<>();
            map.keySet().forEach(k -> keys.add((String) k));
            keys.sort(GO_KEY_ORDER);
            boolean first = true;
            for (String key : keys) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                writeString(out, key);
                out.write(':');
                write(out, map.get(key));
            }
            out.write('}');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        out.write('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.writeBytes(ascii("\\\""));
                case '\\' -> out.writeBytes(ascii("\\\\"));
                case '\n' -> out.writeBytes(ascii("\\n"));
                case '\r' -> out.writeBytes(ascii("\\r"));
                case '\t' -> out.writeBytes(ascii("\\t"));
                // Go 1.22 and later write these two short forms.
                case '\b' -> out.writeBytes(ascii("\\b"));
                case '\f' -> out.writeBytes(ascii("\\f"));
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out.writeBytes(ascii("\\u00"));
                        out.write(HEX[c >> 4]);
                        out.write(HEX[c & 0xF]);
                    } else if (c == '\u2028' || c == '\u2029') {
                        out.writeBytes(ascii(c == '\u2028' ? "\\u2028" : "\\u2029"));
                    } else if (c < 0x80) {
                        out.write(c);
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                        i++;
                    } else if (Character.isSurrogate(c)) {
                        out.writeBytes("\ufffd".getBytes(StandardCharsets.UTF_8));
                    } else {
                        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        out.write('"');
    }

    /** Go's float64 encoding: shortest digits that round-trip, 'f' or 'e' by magnitude. */
    static String formatFloat64(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d);
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        BigDecimal shortest = shortestRoundTrip(d);
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return shortest.toPlainString();
        }
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        var s = new StringBuilder();
        if (d < 0) {
            s.append('-');
        }
        s.append(digits.charAt(0));
        if (digits.length() > 1) {
            s.append('.').append(digits, 1, digits.length());
        }
        s.append('e').append(exponent < 0 ? '-' : '+');
        int absExponent = Math.abs(exponent);
        // strconv writes at least two exponent digits; encoding/json then strips "e-0X" to
        // "e-X" (only for negative exponents).
        if (absExponent < 10 && exponent > 0) {
            s.append('0');
        }
        s.append(absExponent);
        return s.toString();
    }

    private static BigDecimal shortestRoundTrip(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate.stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
