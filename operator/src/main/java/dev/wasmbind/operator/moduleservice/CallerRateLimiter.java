package dev.wasmbind.operator.moduleservice;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller ({@link Caller#rateLimitKey()}): {@code burst} requests at once, then
 * {@code perSecond} a second. A sidecar needs about one request per long-poll plus one per module
 * it downloads, far below the defaults; the limit stops a runaway client, not a busy one.
 */
public final class CallerRateLimiter {

    public static final double DEFAULT_PER_SECOND = 5;
    public static final int DEFAULT_BURST = 20;

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    public CallerRateLimiter(double perSecond, int burst, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException(
                    "the rate limit needs a positive rate and a burst of at least 1, got "
                            + perSecond
                            + "/s and "
                            + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one token from {@code key}'s bucket.
     *
     * @return empty when the request may go ahead, else how long until it may
     */
    public Optional<Duration> tryAcquire(String key) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Optional.empty();
            }
            double missing = 1 - bucket.tokens;
            return Optional.of(Duration.ofNanos((long) Math.ceil(missing / perSecond * 1e9)));
        }
    }

    /** Forgets callers whose bucket is full again: forgetting them changes nothing. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        buckets.values()
                .removeIf(
                        bucket -> {
                            synchronized (bucket) {
                                refill(bucket, now);
                                return bucket.tokens >= burst;
                            }
                        });
    }

    /** Callers with a bucket now. */
    public int size() {
        return buckets.size();
    }

    private void refill(Bucket bucket, long now) {
        double elapsed = Math.max(0, now - bucket.updated) / 1e9;
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
        bucket.updated = now;
    }
}
