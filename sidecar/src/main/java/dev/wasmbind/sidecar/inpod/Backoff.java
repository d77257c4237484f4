package dev.wasmbind.sidecar.inpod;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th delay in a row is drawn from [d/2, d] where d = initial
 * × 2^(n-1), capped at max. The jitter spreads the retries of the many sidecars that lost the
 * module service at the same moment.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;
    private int failures;

    /**
     * @param random values in [0, 1)
     */
    Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    public static Backoff of(Duration initial, Duration max) {
        return new Backoff(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay before the next retry; each call counts one more failure. */
    public Duration next() {
        long ceiling = ceilingMillis(failures);
        failures++;
        long floor = ceiling / 2;
        return Duration.ofMillis(floor + (long) (random.getAsDouble() * (ceiling - floor)));
    }

    /** Back to the initial delay, after a success. */
    public void reset() {
        failures = 0;
    }

    /** Failures in a row since the last success. */
    public int failures() {
        return failures;
    }

    private long ceilingMillis(int n) {
        long ceiling = initial.toMillis();
        for (int i = 0; i < n && ceiling < max.toMillis(); i++) {
            ceiling *= 2;
        }
        return Math.min(ceiling, max.toMillis());
    }
}
