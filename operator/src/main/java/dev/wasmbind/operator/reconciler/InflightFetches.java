package dev.wasmbind.operator.reconciler;

import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchedModule;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets bindings that want the same thing at the same moment share one fetch: many WasmBindings
 * often point at one module, and a restart reconciles all of them at once.
 */
public final class InflightFetches {

    /** What makes two fetches the same: URL, pin and whose credentials. */
    public record Key(String url, String sha256, String credentialsRef) {}

    @FunctionalInterface
    public interface Fetch {
        FetchedModule run() throws FetchException;
    }

    /** Longer than any fetch may take, so only a wedged fetch makes a waiter give up. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);

    private final Map<Key, CompletableFuture<FetchedModule>> inflight = new ConcurrentHashMap<>();
    private final Duration maxWait;
    private final java.util.concurrent.atomic.AtomicLong joins =
            new java.util.concurrent.atomic.AtomicLong();

    public InflightFetches() {
        this(DEFAULT_MAX_WAIT);
    }

    /** Callers that join another's fetch give up after {@code maxWait} with a timeout. */
    public InflightFetches(Duration maxWait) {
        this.maxWait = maxWait;
    }

    /** How many callers waited for a fetch another caller was already running. */
    public long joins() {
        return joins.get();
    }

    public FetchedModule fetch(Key key, Fetch fetch) throws FetchException {
        CompletableFuture<FetchedModule> mine = new CompletableFuture<>();
        CompletableFuture<FetchedModule> running = inflight.putIfAbsent(key, mine);
        if (running != null) {
            joins.incrementAndGet();
            return await(running);
        }
        try {
            FetchedModule module = fetch.run();
            mine.complete(module);
            return module;
        } catch (FetchException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(key, mine);
        }
    }

    private FetchedModule await(CompletableFuture<FetchedModule> running) throws FetchException {
        try {
            return running.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FetchException(
                    FetchException.Reason.TIMEOUT,
                    "gave up after "
                            + maxWait
                            + " waiting for another binding's fetch of the same module",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(
                    FetchException.Reason.IO_ERROR, "interrupted waiting for a fetch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException fetchException) {
                // A copy, so this caller's stack trace shows where it waited.
                throw new FetchException(
                        fetchException.reason(), fetchException.getMessage(), fetchException);
            }
            if (e.getCause() instanceof RuntimeException unexpected) {
                throw unexpected;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
