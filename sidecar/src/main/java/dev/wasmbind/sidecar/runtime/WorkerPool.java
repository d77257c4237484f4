package dev.wasmbind.sidecar.runtime;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded pool guests run on, never the event loop. Each task gets a deadline: when it passes,
 * the worker thread is interrupted (Chicory checks the flag at calls and backward branches) and the
 * task fails with {@link TimedOut}. The flag is cleared before the thread takes the next task.
 */
public final class WorkerPool implements AutoCloseable {

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

    /** How often the watchdog looks for expired deadlines; the timeout's precision. */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ThreadPoolExecutor workers;
    private final Set<Deadline> running = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    public WorkerPool(int threads, int queueCapacity) {
        var counter = new AtomicInteger();
        this.workers =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(queueCapacity),
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

    /** A pool sized for this machine: two workers per core, at least four. */
    public static WorkerPool forThisMachine() {
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        return new WorkerPool(threads, 1024);
    }

    /**
     * Runs {@code task} on a worker with {@code timeout} counted from when it starts. The future
     * fails with {@link TimedOut}, {@link Saturated} or the task's own exception.
     */
    public <T> CompletableFuture<T> submit(Callable<T> task, Duration timeout) {
        var result = new CompletableFuture<T>();
        try {
            workers.execute(() -> runWithDeadline(task, timeout, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    new Saturated("all " + workers.getMaximumPoolSize() + " workers are busy"));
        }
        return result;
    }

    private <T> void runWithDeadline(Callable<T> task, Duration timeout, CompletableFuture<T> out) {
        var guard = new Deadline(Thread.currentThread(), System.nanoTime() + timeout.toNanos());
        running.add(guard);
        try {
            T value = task.call();
            if (guard.finish()) {
                out.complete(value);
            } else {
                out.completeExceptionally(new TimedOut(timeout));
            }
        } catch (Throwable e) {
            out.completeExceptionally(guard.finish() ? e : new TimedOut(timeout));
        } finally {
            running.remove(guard);
            // An expired deadline interrupts inside the lock that finish() also takes, so the
            // flag is set by now if it ever will be: clear it for the next task.
            Thread.interrupted();
        }
    }

    private void watch() {
        while (!closed) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            for (Deadline deadline : running) {
                if (now - deadline.expiresAt >= 0) {
                    deadline.expire();
                }
            }
        }
    }

    /** Decides, under one lock, whether a task finished in time or was interrupted. */
    private static final class Deadline {
        private final Thread worker;
        private final long expiresAt;
        private boolean done;
        private boolean expired;

        Deadline(Thread worker, long expiresAt) {
            this.worker = worker;
            this.expiresAt = expiresAt;
        }

        synchronized void expire() {
            if (!done) {
                expired = true;
                done = true;
                worker.interrupt();
            }
        }

        /** True when the task finished before its deadline. */
        synchronized boolean finish() {
            if (expired) {
                return false;
            }
            done = true;
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
    }
}
