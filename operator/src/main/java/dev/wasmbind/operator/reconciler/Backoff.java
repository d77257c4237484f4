package dev.wasmbind.operator.reconciler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Exponential retry delays per binding: initial, 2x, 4x ... up to a maximum; reset on success. */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** Counts a failure of {@code key} and returns how long to wait before the next try. */
    public Duration next(String key) {
        int count = failures.merge(key, 1, Integer::sum);
        int shift = Math.min(count - 1, 20);
        Duration delay = initial.multipliedBy(1L << shift);
        return delay.compareTo(max) > 0 ? max : delay;
    }

    public void reset(String key) {
        failures.remove(key);
    }

    /** Drops state of bindings that no longer exist. */
    public void retainOnly(java.util.Set<String> keys) {
        failures.keySet().retainAll(keys);
    }
}
