package dev.wasmbind.sidecar.http;

import dev.wasmbind.sidecar.binding.CallException;
import dev.wasmbind.sidecar.binding.CallOutcome;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that decode the bodies of calls to names no ready binding has, off the event loop
 * (daprd answers a malformed body with 400 before it looks the binding up); calls of ready bindings
 * decode on their worker thread. Decoding does not recurse, so default stacks do; a full queue
 * answers 503.
 */
final class BodyDecoders {

    private static final int QUEUE = 256;

    private static final ThreadPoolExecutor POOL = create();

    private BodyDecoders() {}

    private static ThreadPoolExecutor create() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        var counter = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "body-decoder-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs {@code task} on a decoder thread; its {@link CallException} fails the future. */
    static <T> CompletableFuture<T> submit(Callable<T> task) {
        var result = new CompletableFuture<T>();
        try {
            POOL.execute(
                    () -> {
                        try {
                            result.complete(task.call());
                        } catch (Throwable e) {
                            result.completeExceptionally(e);
                        }
                    });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    new CallException(
                            CallOutcome.OVERLOADED,
                            "all "
                                    + POOL.getMaximumPoolSize()
                                    + " request decoders and their queue of "
                                    + QUEUE
                                    + " are busy; retry later"));
        }
        return result;
    }
}
