package dev.wasmbind.sidecar.http;

import com.fasterxml.jackson.core.io.NumberOutput;
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
 * Writes JSON the way daprd answers: Go's {@code json.Marshal} of {@code null}, {@link Boolean},
 * {@link Double}, {@link String}, {@link List} and {@link Map} values. Object keys sorted by their
 * UTF-8 bytes, no spaces, {@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped as
 * backslash-u003c and so on, numbers in Go's float64 format ({@code 'e'} notation outside [1e-6,
 * 1e21), exponent without a leading zero: {@code 1e+21}, {@code 1e-7}).
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
        Shortest shortest = Shortest.fast(Math.abs(d));
        String digits = shortest.digits;
        // The value is 0.DIGITS × 10^point.
        int point = shortest.point;
        var s = new StringBuilder(digits.length() + 8);
        if (d < 0) {
            s.append('-');
        }
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            if (point <= 0) {
                s.append("0.").append("0".repeat(-point)).append(digits);
            } else if (point >= digits.length()) {
                s.append(digits).append("0".repeat(point - digits.length()));
            } else {
                s.append(digits, 0, point).append('.').append(digits, point, digits.length());
            }
            return s.toString();
        }
        int exponent = point - 1;
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

    /**
     * The shortest decimal that parses back to a double, as Go's strconv picks it: of the two
     * decimals of n digits around the exact value (truncated and rounded up), the shortest n for
     * which one round-trips; when both do, the nearer one (ties to even). The exact value is
     * expanded once, to 20 significant digits and whether more follow, and the length is found by
     * binary search (round-tripping is monotonic in n): a handful of short parses per number
     * instead of rounding the full exact expansion (up to 767 digits) at every length, which made a
     * 4 MB body of long floats take seconds; {@link #fast} avoids even that for most numbers.
     */
    private record Shortest(String digits, int point) {

        private static final int HEAD = 20;

        /**
         * Schubfach (Jackson's port, linear and allocation-light) gives the shortest round-tripping
         * digits nearest the exact value, as Go does, except that where one digit would do it
         * writes the nearest two: those rare cases take the exact path.
         */
        static Shortest fast(double abs) {
            String java = NumberOutput.toString(abs, true);
            int e = java.indexOf('E');
            String mantissa = e < 0 ? java : java.substring(0, e);
            int exponent = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
            int dot = mantissa.indexOf('.');
            String raw =
                    dot < 0 ? mantissa : mantissa.substring(0, dot) + mantissa.substring(dot + 1);
            int leadingZeros = 0;
            while (leadingZeros < raw.length() - 1 && raw.charAt(leadingZeros) == '0') {
                leadingZeros++;
            }
            Shortest shortest =
                    new Shortest(
                                    raw.substring(leadingZeros),
                                    (dot < 0 ? mantissa.length() : dot) - leadingZeros + exponent)
                            .trimmed();
            return shortest.digits.length() <= 2 ? of(abs) : shortest;
        }

        static Shortest of(double abs) {
            BigDecimal exact = new BigDecimal(abs);
            BigDecimal head = exact.round(new MathContext(HEAD, RoundingMode.DOWN));
            boolean sticky = head.compareTo(exact) != 0;
            String headDigits = head.unscaledValue().toString();
            int point = headDigits.length() - head.scale();
            // headDigits may be shorter than HEAD (an exact value with few digits): pad with zeros.
            if (headDigits.length() < HEAD) {
                headDigits = headDigits + "0".repeat(HEAD - headDigits.length());
            }
            int low = 1;
            int high = 17; // 17 significant digits always round-trip
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (at(headDigits, sticky, point, mid, abs) != null) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            Shortest found = at(headDigits, sticky, point, low, abs);
            return found != null ? found : nearest(headDigits, sticky, point, 17);
        }

        /** The n-digit decimal that round-trips (the nearer one if both do), or null. */
        private static Shortest at(String head, boolean sticky, int point, int n, double abs) {
            Shortest down = new Shortest(head.substring(0, n), point);
            Shortest up = down.incremented();
            boolean downOk = down.value() == abs;
            boolean upOk = up.value() == abs;
            if (downOk && upOk) {
                return nearest(head, sticky, point, n);
            }
            if (downOk) {
                return down.trimmed();
            }
            return upOk ? up.trimmed() : null;
        }

        /** The exact value rounded half-to-even to n digits. */
        private static Shortest nearest(String head, boolean sticky, int point, int n) {
            Shortest down = new Shortest(head.substring(0, n), point);
            char next = head.charAt(n);
            boolean restZero = !sticky && head.substring(n + 1).chars().allMatch(c -> c == '0');
            boolean roundUp =
                    next > '5'
                            || (next == '5' && !restZero)
                            || (next == '5' && (head.charAt(n - 1) - '0') % 2 == 1);
            return (roundUp ? down.incremented() : down).trimmed();
        }

        private Shortest incremented() {
            char[] c = digits.toCharArray();
            int i = c.length - 1;
            while (i >= 0 && c[i] == '9') {
                c[i--] = '0';
            }
            if (i < 0) {
                return new Shortest("1" + new String(c), point + 1);
            }
            c[i]++;
            return new Shortest(new String(c), point);
        }

        private Shortest trimmed() {
            int end = digits.length();
            while (end > 1 && digits.charAt(end - 1) == '0') {
                end--;
            }
            return new Shortest(digits.substring(0, end), point);
        }

        private double value() {
            return Double.parseDouble("0." + digits + "E" + point);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
