package dev.wasmbind.sidecar.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded pool guests run on, never the event loop. Each task gets a deadline: when it passes,
 * the task's future fails with {@link TimedOut} at once and the worker thread is interrupted
 * (Chicory's compiled code, and the interpreter through {@link GuestRunner}'s listener, check the
 * flag on every backward branch and call). The flag is cleared before the thread takes the next
 * task.
 *
 * <p>The pool starts with {@code threads} workers and adds one, up to {@code maxThreads}, for each
 * task that has run for {@link #LONG_CALL} (a big guest, an outbound HTTP call), taking it away
 * again when that task ends: few workers for short calls, because every worker that waits for its
 * next call falls asleep and must be woken for it (with 2 workers on 2 cores a tiny call costs ~10
 * µs less CPU than with 4, docs/bench/http-path.md "Round 4"), and room for other calls while long
 * ones hold theirs. Tasks wait in a {@link HandOffQueue}, which hands them over without a lock.
 *
 * <p>A task still running {@link #STOP_GRACE} after its interrupt cannot be stopped (a host call
 * that ignores interrupts, say): its thread is abandoned, counted, and replaced by a new worker so
 * the pool keeps its size. When it ever returns, the pool shrinks back. From {@code unhealthyAfter}
 * abandoned threads at once, {@link #unhealthyReason()} reports the sidecar unhealthy so the
 * kubelet restarts it.
 */
public final class WorkerPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    /** The task ran past its deadline and was stopped. */
    public static final class TimedOut extends Exception {
        public TimedOut(Duration timeout) {
            super("timed out after " + timeout, null, false, false);
        }
    }

    /** The pool and its queue are full. */
    public static final class Saturated extends Exception {
        public Saturated(String message) {
            super(message, null, false, false);
        }
    }

    /** How long an interrupted task may take to unwind before its thread is abandoned. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(1);

    /** Abandoned threads at once from which the sidecar reports itself unhealthy. */
    public static final int DEFAULT_UNHEALTHY_AFTER = 3;

    /** Overrides {@link #DEFAULT_UNHEALTHY_AFTER} in {@link #forThisMachine()}. */
    public static final String UNHEALTHY_AFTER_ENV = "WASMBIND_UNSTOPPABLE_GUESTS_LIMIT";

    /** How long a task runs before the pool adds a worker for the others (if it may). */
    public static final Duration LONG_CALL = Duration.ofMillis(10);

    /** How often the watchdog looks for expired deadlines; the timeout's precision. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final int threads;
    private final int maxThreads;
    private final AtomicInteger longCalls = new AtomicInteger();
    private final int unhealthyAfter;
    private final LongSupplier nanoTime;
    private final ThreadPoolExecutor workers;
    private final Set<Deadline> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicLong abandonedTotal = new AtomicLong();
    private final AtomicLong watchdogErrors = new AtomicLong();
    private final Object resizeLock = new Object();
    private final Thread watchdog;
    private volatile boolean closed;

    /** A pool of {@code threads} workers that adds none for long tasks. */
    public WorkerPool(int threads, int queueCapacity) {
        this(threads, threads, queueCapacity, DEFAULT_UNHEALTHY_AFTER, System::nanoTime);
    }

    WorkerPool(int threads, int queueCapacity, int unhealthyAfter, LongSupplier nanoTime) {
        this(threads, threads, queueCapacity, unhealthyAfter, nanoTime);
    }

    /**
     * @param threads workers while no task runs long
     * @param maxThreads workers at most while tasks run long (abandoned ones not counted)
     * @param unhealthyAfter abandoned threads at once that make the pool unhealthy
     * @param nanoTime the monotonic clock of deadlines (tests inject failures through it)
     */
    WorkerPool(
            int threads,
            int maxThreads,
            int queueCapacity,
            int unhealthyAfter,
            LongSupplier nanoTime) {
        if (threads < 1 || unhealthyAfter < 1 || maxThreads < threads) {
            throw new IllegalArgumentException(
                    "threads and unhealthyAfter must be at least 1, maxThreads at least threads");
        }
        this.threads = threads;
        this.maxThreads = maxThreads;
        this.unhealthyAfter = unhealthyAfter;
        this.nanoTime = nanoTime;
        var counter = new AtomicInteger();
        this.workers =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new HandOffQueue(queueCapacity),
                        r -> {
                            Thread t = new Thread(r, "wasm-worker-" + counter.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        // One watchdog polling the running calls instead of a timer task per call: scheduling and
        // cancelling a timer per call wakes a thread per call, which costs more than a tiny guest.
        this.watchdog = new Thread(this::watch, "wasm-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * A pool sized for this machine: one worker per core, at least two, and up to two per core, at
     * least four, while tasks run long; unhealthy from {@code $WASMBIND_UNSTOPPABLE_GUESTS_LIMIT}
     * (default 3) abandoned threads.
     */
    public static WorkerPool forThisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        String limit = System.getenv(UNHEALTHY_AFTER_ENV);
        int unhealthyAfter =
                limit == null || limit.isBlank()
                        ? DEFAULT_UNHEALTHY_AFTER
                        : Integer.parseInt(limit.trim());
        return new WorkerPool(
                Math.max(2, cores), Math.max(4, 2 * cores), 1024, unhealthyAfter, System::nanoTime);
    }

    /**
     * Runs {@code task} on a worker with {@code timeout} counted from when it starts. The future
     * fails with {@link TimedOut} (by the deadline, whatever the task does), {@link Saturated} or
     * the task's own exception.
     */
    public <T> CompletableFuture<T> submit(Callable<T> task, Duration timeout) {
        var result = new CompletableFuture<T>();
        try {
            workers.execute(() -> runWithDeadline(task, timeout, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    new Saturated("all " + workers.getCorePoolSize() + " workers are busy"));
        }
        return result;
    }

    /** Worker threads abandoned to guests that could not be stopped and still run. */
    public int abandonedWorkers() {
        return abandoned.get();
    }

    /** Worker threads abandoned since start, including those whose guest ended later. */
    public long abandonedWorkersTotal() {
        return abandonedTotal.get();
    }

    /** Worker threads now, abandoned ones included. */
    int workerThreads() {
        return workers.getPoolSize();
    }

    /** Errors the watchdog survived (each logged). */
    public long watchdogErrors() {
        return watchdogErrors.get();
    }

    /** Why the sidecar should be restarted, or empty while it is healthy. */
    public Optional<String> unhealthyReason() {
        int stuck = abandoned.get();
        if (stuck >= unhealthyAfter) {
            return Optional.of(
                    stuck
                            + " guests could not be stopped after their timeout and still hold"
                            + " worker threads (limit "
                            + unhealthyAfter
                            + ")");
        }
        if (!closed && !watchdog.isAlive()) {
            return Optional.of("the timeout watchdog has stopped");
        }
        return Optional.empty();
    }

    private <T> void runWithDeadline(Callable<T> task, Duration timeout, CompletableFuture<T> out) {
        long now = nanoTime.getAsLong();
        var guard = new Deadline(Thread.currentThread(), now, now + timeout.toNanos());
        guard.onExpiry = () -> out.completeExceptionally(new TimedOut(timeout));
        running.add(guard);
        try {
            T value = task.call();
            if (guard.finish()) {
                out.complete(value);
            }
        } catch (Throwable e) {
            if (guard.finish()) {
                out.completeExceptionally(e);
            }
        } finally {
            guard.finish();
            running.remove(guard);
            // An expired deadline interrupts inside the lock that finish() also takes, so the
            // flag is set by now if it ever will be: clear it for the next task.
            Thread.interrupted();
            if (guard.wasAbandoned()) {
                returnAbandoned();
            }
            if (guard.ranLong()) {
                // Marked under the guard's lock before finish() or never: counted exactly once.
                longCalls.decrementAndGet();
                resize(-1);
            }
        }
    }

    private void watch() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            try {
                tick(nanoTime.getAsLong());
            } catch (Throwable e) {
                // Whatever failed, the next tick tries again: an error here must not end timeouts.
                watchdogErrors.incrementAndGet();
                LOG.error("timeout watchdog failed; it keeps running", e);
            }
        }
    }

    private void tick(long now) {
        for (Deadline deadline : running) {
            try {
                if (now - deadline.startedAt >= LONG_CALL.toNanos()
                        && longCalls.get() < maxThreads - threads
                        && deadline.markLong()) {
                    longCalls.incrementAndGet();
                    resize(1);
                }
                if (now - deadline.expiresAt < 0) {
                    continue;
                }
                Runnable onExpiry = deadline.expire();
                if (onExpiry != null) {
                    onExpiry.run();
                } else if (now - deadline.expiresAt >= STOP_GRACE.toNanos() && deadline.abandon()) {
                    abandon(deadline);
                }
            } catch (Throwable e) {
                watchdogErrors.incrementAndGet();
                LOG.error("timeout watchdog failed on one call; it goes on with the others", e);
            }
        }
    }

    /** Gives the pool a new thread in place of one a guest holds and will not give back. */
    private void abandon(Deadline deadline) {
        resize(1);
        int stuck = abandoned.incrementAndGet();
        abandonedTotal.incrementAndGet();
        LOG.atWarn()
                .addKeyValue("thread", deadline.worker.getName())
                .addKeyValue("abandoned", stuck)
                .log(
                        "a guest did not stop within {} of its timeout: its thread is abandoned"
                                + " and replaced",
                        STOP_GRACE);
    }

    /** An abandoned thread came back: the pool shrinks to its size again. */
    private void returnAbandoned() {
        abandoned.decrementAndGet();
        resize(-1);
        LOG.info("an abandoned guest ended; its thread leaves the pool");
    }

    /** One worker more (queued tasks get it at once) or one fewer (the next idle one leaves). */
    private void resize(int delta) {
        synchronized (resizeLock) {
            if (delta > 0) {
                workers.setMaximumPoolSize(workers.getMaximumPoolSize() + delta);
                workers.setCorePoolSize(workers.getCorePoolSize() + delta);
            } else {
                workers.setCorePoolSize(workers.getCorePoolSize() + delta);
                workers.setMaximumPoolSize(workers.getMaximumPoolSize() + delta);
            }
        }
    }

    /** Decides, under one lock, whether a task finished in time, expired, or was abandoned. */
    private static final class Deadline {
        private final Thread worker;
        private final long startedAt;
        private final long expiresAt;
        private Runnable onExpiry;
        private boolean finished;
        private boolean expired;
        private boolean abandoned;
        private boolean ranLong;

        Deadline(Thread worker, long startedAt, long expiresAt) {
            this.worker = worker;
            this.startedAt = startedAt;
            this.expiresAt = expiresAt;
        }

        /** True the first time, while the task still runs: it has a worker added for it. */
        synchronized boolean markLong() {
            if (finished || ranLong) {
                return false;
            }
            ranLong = true;
            return true;
        }

        synchronized boolean ranLong() {
            return ranLong;
        }

        /** Interrupts the worker once; returns what to run then (null when already decided). */
        synchronized Runnable expire() {
            if (finished || expired) {
                return null;
            }
            expired = true;
            worker.interrupt();
            return onExpiry;
        }

        /** True when the task finished before its deadline (its result is the answer). */
        synchronized boolean finish() {
            boolean inTime = !finished && !expired;
            finished = true;
            return inTime;
        }

        /** True when the task expired, still runs, and was not abandoned before. */
        synchronized boolean abandon() {
            if (!expired || finished || abandoned) {
                return false;
            }
            abandoned = true;
            return true;
        }

        synchronized boolean wasAbandoned() {
            return abandoned;
        }
    }

    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
    }
}
