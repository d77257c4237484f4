package dev.wasmbind.operator.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Knows how long the reconciles in progress have been running. Every step of a reconcile has a
 * deadline (fetch timeouts, the wait for a joined fetch), so one running far past them means the
 * reconcile loop is wedged (a deadlock, a hung call) and the operator should be restarted.
 */
public final class ReconcileWatchdog {

    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Instant> running = new ConcurrentHashMap<>();

    public ReconcileWatchdog(Clock clock) {
        this.clock = clock;
    }

    /** Marks a reconcile as running until the returned handle is closed. */
    public Running enter() {
        long id = ids.incrementAndGet();
        running.put(id, clock.instant());
        return () -> running.remove(id);
    }

    /** How long the oldest reconcile in progress has run; empty when none is running. */
    public Optional<Duration> longestRunning() {
        Instant now = clock.instant();
        return running.values().stream()
                .min(Instant::compareTo)
                .map(since -> Duration.between(since, now));
    }

    /** True when a reconcile has run longer than {@code limit}. */
    public boolean isStuck(Duration limit) {
        return longestRunning().map(d -> d.compareTo(limit) > 0).orElse(false);
    }

    /** A reconcile in progress. */
    @FunctionalInterface
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }
}
