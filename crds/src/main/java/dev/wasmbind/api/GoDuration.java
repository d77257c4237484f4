package dev.wasmbind.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Go/Kubernetes duration strings ({@code 500ms}, {@code 10s}, {@code 1m30s}, {@code 1.5h})
 * because that is how Kubernetes users write durations, and {@link Duration#parse} takes ISO-8601
 * only.
 */
public final class GoDuration {

    private static final Pattern PART =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty");
        }
        String value = text.strip();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        while (matcher.find() && matcher.start() == position) {
            nanos =
                    nanos.add(
                            new BigDecimal(matcher.group(1)).multiply(unitNanos(matcher.group(2))));
            position = matcher.end();
        }
        if (position != value.length() || position == 0) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a duration; use a number and a unit, e.g. 500ms, 10s, 1m30s");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest exact form in one unit: {@code 10s}, {@code 5m}, {@code 1h}, {@code 200ms}. */
    public static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        for (String unit : new String[] {"h", "m", "s", "ms", "us"}) {
            long size = unitNanos(unit).longValueExact();
            if (nanos % size == 0) {
                return nanos / size + unit;
            }
        }
        return nanos + "ns";
    }

    private static BigDecimal unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> BigDecimal.ONE;
            case "us", "µs" -> BigDecimal.valueOf(1_000L);
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> BigDecimal.valueOf(1_000_000_000L);
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            default -> throw new IllegalArgumentException("unknown duration unit " + unit);
        };
    }
}
