package dev.wasmbind.api;

import java.time.Duration;

/**
 * Parses Go/Kubernetes duration strings ({@code 500ms}, {@code 10s}, {@code 1m30s}, {@code 1.5h})
 * because that is how Kubernetes users write durations, and {@link Duration#parse} takes ISO-8601
 * only.
 *
 * <p>As Go's {@code time.ParseDuration}: a sequence of decimal numbers, each with an optional
 * fraction and a unit ({@code ns}, {@code us} or {@code µs}, {@code ms}, {@code s}, {@code m},
 * {@code h}); a fraction is truncated to whole nanoseconds per number; more than {@link
 * Long#MAX_VALUE} nanoseconds (about 292 years) is an error, never a wrapped value. The grammar is
 * {@link dev.wasmbind.api.v1alpha1.Limits#DURATION_PATTERN}'s, the CRD's: no sign (a negative
 * timeout or interval means nothing here), digits on both sides of a decimal point. Plain {@code
 * long} arithmetic: this runs while every binary starts, where {@code BigDecimal}'s class
 * initialisation alone cost ~20 ms.
 */
public final class GoDuration {

    private static final long NANOS_PER_MICRO = 1_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final long NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;

    private GoDuration() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty");
        }
        String value = text.strip();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        long total = 0;
        int position = 0;
        try {
            while (position < value.length()) {
                int wholeEnd = digitsEnd(value, position);
                if (wholeEnd == position) {
                    throw notADuration(text);
                }
                int fractionStart = wholeEnd;
                int fractionEnd = wholeEnd;
                if (wholeEnd < value.length() && value.charAt(wholeEnd) == '.') {
                    fractionStart = wholeEnd + 1;
                    fractionEnd = digitsEnd(value, fractionStart);
                    if (fractionEnd == fractionStart) {
                        throw notADuration(text);
                    }
                }
                int unitEnd = unitEnd(value, fractionEnd);
                long unit = unitNanos(value.substring(fractionEnd, unitEnd), text);
                long part = Math.multiplyExact(whole(value, position, wholeEnd), unit);
                part = Math.addExact(part, fractionNanos(value, fractionStart, fractionEnd, unit));
                total = Math.addExact(total, part);
                position = unitEnd;
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is too long a duration: at most "
                            + Long.MAX_VALUE
                            + "ns (about 292 years)");
        }
        return Duration.ofNanos(total);
    }

    /** The shortest exact form in one unit: {@code 10s}, {@code 5m}, {@code 1h}, {@code 200ms}. */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String[] units = {"h", "m", "s", "ms", "us"};
        long[] sizes = {
            NANOS_PER_HOUR, NANOS_PER_MINUTE, NANOS_PER_SECOND, NANOS_PER_MILLI, NANOS_PER_MICRO
        };
        for (int i = 0; i < units.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + units[i];
            }
        }
        return nanos + "ns";
    }

    private static int digitsEnd(String value, int from) {
        int end = from;
        while (end < value.length() && isDigit(value.charAt(end))) {
            end++;
        }
        return end;
    }

    /** A unit runs to the next digit or the end, as in Go ({@code 10 s} has the unit " s"). */
    private static int unitEnd(String value, int from) {
        int end = from;
        while (end < value.length() && !isDigit(value.charAt(end)) && value.charAt(end) != '.') {
            end++;
        }
        return end;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The whole part; throws {@link ArithmeticException} past {@link Long#MAX_VALUE}. */
    private static long whole(String value, int from, int to) {
        long result = 0;
        for (int i = from; i < to; i++) {
            result = Math.addExact(Math.multiplyExact(result, 10), value.charAt(i) - '0');
        }
        return result;
    }

    /**
     * {@code floor(0.d1d2…dk × unit)}, exactly: Horner's scheme from the last digit, where flooring
     * each step gives the floor of the whole (every step adds an integer before dividing). Each
     * intermediate stays below {@code 10 × unit}, so any number of digits fits a {@code long}.
     */
    private static long fractionNanos(String value, int from, int to, long unit) {
        long nanos = 0;
        for (int i = to - 1; i >= from; i--) {
            nanos = ((value.charAt(i) - '0') * unit + nanos) / 10;
        }
        return nanos;
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> NANOS_PER_MICRO;
            case "ms" -> NANOS_PER_MILLI;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> NANOS_PER_MINUTE;
            case "h" -> NANOS_PER_HOUR;
            default -> throw notADuration(text);
        };
    }

    private static IllegalArgumentException notADuration(String text) {
        return new IllegalArgumentException(
                "'"
                        + text
                        + "' is not a duration; use a number and a unit, e.g. 500ms, 10s, 1m30s");
    }
}
