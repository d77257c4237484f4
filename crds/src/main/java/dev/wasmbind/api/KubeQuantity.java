package dev.wasmbind.api;

/**
 * Reads a Kubernetes quantity ({@code 64Mi}, {@code 512k}, {@code 1e6}, {@code 1.5Gi}, {@code
 * 1048576}) as a whole number of bytes, with the results of fabric8's {@code
 * Quantity.getAmountInBytes(...).longValueExact()} (KubeQuantityTest compares the two) except where
 * fabric8 strays from Kubernetes ({@code Ei} rounded to 16 digits, a lone {@code .} read as 0), so
 * the sidecar reads a size without fabric8's model jar on its class path.
 *
 * <p>The grammar is Kubernetes': an optional sign, a decimal number (digits on either side of the
 * point may be absent, not both), then a binary suffix ({@code Ki Mi Gi Ti Pi Ei}), a decimal one
 * ({@code n u m k M G T P E}) or a decimal exponent ({@code e6}, {@code E-3}, {@code e+2}). A
 * negative size, a size that is not a whole number of bytes ({@code 1.1Ki}, {@code 1m}) and one
 * above {@link Long#MAX_VALUE} are refused. Plain {@code long} arithmetic, as in {@link
 * GoDuration}: this runs while every binding loads, and {@code BigDecimal}'s class initialisation
 * alone cost ~20 ms of a start (docs/bench/startup.md).
 */
public final class KubeQuantity {

    /** 10^18 is the largest power of ten in a long. */
    private static final int MAX_LONG_POWER_OF_TEN = 18;

    /** 5^27 is the largest power of five in a long. */
    private static final int MAX_LONG_POWER_OF_FIVE = 27;

    /** Beyond this an exponent only decides between zero, too large and not whole. */
    private static final int EXPONENT_BOUND = 10_000;

    private KubeQuantity() {}

    /**
     * The quantity in bytes. Throws IllegalArgumentException whose message completes "limits.x is
     * ...": "not a quantity such as 64Mi: ...", "negative: ...", "not a whole number of bytes: ..."
     * or "more than 9223372036854775807 bytes: ...".
     */
    public static long bytes(String text) {
        if (text == null) {
            throw notAQuantity(null);
        }
        int length = text.length();
        int position = 0;
        boolean negative = false;
        if (position < length && (text.charAt(position) == '+' || text.charAt(position) == '-')) {
            negative = text.charAt(position) == '-';
            position++;
        }

        // The number's significant digits, without leading and trailing zeros, and the power of
        // ten they are scaled by: 1.50 is 15e-1, 1200 is 12e2.
        StringBuilder digits = new StringBuilder();
        int pendingZeros = 0;
        int decimalExponent = 0;
        boolean seenDigit = false;
        boolean seenPoint = false;
        for (; position < length; position++) {
            char c = text.charAt(position);
            if (c == '.' && !seenPoint) {
                seenPoint = true;
            } else if (c >= '0' && c <= '9') {
                seenDigit = true;
                if (seenPoint) {
                    decimalExponent--;
                }
                if (c == '0') {
                    if (!digits.isEmpty()) {
                        pendingZeros++;
                    }
                } else {
                    for (; pendingZeros > 0; pendingZeros--) {
                        digits.append('0');
                    }
                    digits.append(c);
                }
            } else {
                break;
            }
        }
        if (!seenDigit) {
            throw notAQuantity(text);
        }
        decimalExponent += pendingZeros;

        int binaryExponent = 0;
        String suffix = text.substring(position);
        switch (suffix) {
            case "" -> {}
            case "Ki" -> binaryExponent = 10;
            case "Mi" -> binaryExponent = 20;
            case "Gi" -> binaryExponent = 30;
            case "Ti" -> binaryExponent = 40;
            case "Pi" -> binaryExponent = 50;
            case "Ei" -> binaryExponent = 60;
            case "n" -> decimalExponent -= 9;
            case "u" -> decimalExponent -= 6;
            case "m" -> decimalExponent -= 3;
            case "k" -> decimalExponent += 3;
            case "M" -> decimalExponent += 6;
            case "G" -> decimalExponent += 9;
            case "T" -> decimalExponent += 12;
            case "P" -> decimalExponent += 15;
            case "E" -> decimalExponent += 18;
            default -> decimalExponent += exponent(text, suffix);
        }

        if (digits.isEmpty()) {
            return 0;
        }
        if (negative) {
            throw new IllegalArgumentException("negative: " + text);
        }
        if (digits.length() > MAX_LONG_POWER_OF_TEN + 1) {
            // Without trailing zeros such a number is not whole when scaled down, too large when
            // scaled up.
            throw decimalExponent < 0 ? notWhole(text) : tooLarge(text);
        }
        long significand;
        try {
            significand = Long.parseLong(digits, 0, digits.length(), 10);
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
        if (decimalExponent < 0) {
            // A whole number only if the 5s of the divisor divide the digits (they end in no zero)
            // and its 2s are covered by the binary suffix.
            int divisorPower = -decimalExponent;
            if (divisorPower > MAX_LONG_POWER_OF_FIVE || divisorPower > binaryExponent) {
                throw notWhole(text);
            }
            long powerOfFive = powerOf(5, divisorPower);
            if (significand % powerOfFive != 0) {
                throw notWhole(text);
            }
            significand /= powerOfFive;
            binaryExponent -= divisorPower;
            decimalExponent = 0;
        }
        try {
            long scaled = Math.multiplyExact(significand, powerOfTen(decimalExponent, text));
            if (binaryExponent >= Long.SIZE - 1 || scaled > Long.MAX_VALUE >> binaryExponent) {
                throw tooLarge(text);
            }
            return scaled << binaryExponent;
        } catch (ArithmeticException e) {
            throw tooLarge(text);
        }
    }

    /** The power of ten an exponent suffix ({@code e6}, {@code E-3}, {@code e+2}) stands for. */
    private static int exponent(String text, String suffix) {
        if (suffix.length() < 2 || (suffix.charAt(0) != 'e' && suffix.charAt(0) != 'E')) {
            throw notAQuantity(text);
        }
        int position = 1;
        boolean negative = false;
        if (suffix.charAt(position) == '+' || suffix.charAt(position) == '-') {
            negative = suffix.charAt(position) == '-';
            position++;
        }
        if (position == suffix.length()) {
            throw notAQuantity(text);
        }
        int exponent = 0;
        for (; position < suffix.length(); position++) {
            char c = suffix.charAt(position);
            if (c < '0' || c > '9') {
                throw notAQuantity(text);
            }
            exponent = Math.min(exponent * 10 + (c - '0'), EXPONENT_BOUND);
        }
        return negative ? -exponent : exponent;
    }

    private static long powerOfTen(int exponent, String text) {
        if (exponent > MAX_LONG_POWER_OF_TEN) {
            throw tooLarge(text);
        }
        return powerOf(10, exponent);
    }

    private static long powerOf(long base, int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= base;
        }
        return result;
    }

    private static IllegalArgumentException notAQuantity(String text) {
        return new IllegalArgumentException(
                "not a quantity such as 64Mi: " + (text == null ? "null" : "\"" + text + "\""));
    }

    private static IllegalArgumentException notWhole(String text) {
        return new IllegalArgumentException("not a whole number of bytes: " + text);
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("more than " + Long.MAX_VALUE + " bytes: " + text);
    }
}
