package dev.wasmbind.operator.reconciler;

import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchedModule;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

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

    private final Map<Key, CompletableFuture<FetchedModule>> inflight = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong joins =
            new java.util.concurrent.atomic.AtomicLong();

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

    private static FetchedModule await(CompletableFuture<FetchedModule> running)
            throws FetchException {
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(
                    FetchException.Reason.IO_ERROR, "interrupted waiting for a fetch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FetchException fetchException) {
                throw fetchException;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
