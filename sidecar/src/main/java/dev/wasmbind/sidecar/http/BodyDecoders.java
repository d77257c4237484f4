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
 * The threads that decode request bodies and Go-encode their {@code data}, off the event loop.
 * Their stacks are large enough for the 10000 levels of nesting Go accepts (the decoder and encoder
 * recurse once or twice per level); a full queue answers 503.
 */
final class BodyDecoders {

    /** Room for 10000 levels of recursion with margin (reserved, committed only as used). */
    private static final long STACK_BYTES = 64L << 20;

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
                    Thread t =
                            new Thread(
                                    null,
                                    r,
                                    "body-decoder-" + counter.incrementAndGet(),
                                    STACK_BYTES);
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
