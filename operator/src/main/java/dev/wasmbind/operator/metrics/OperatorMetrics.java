package dev.wasmbind.operator.metrics;

import dev.wasmbind.operator.cache.ModuleCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The operator's own meters, next to JOSDK's: reconciles, fetches and the cache. */
public final class OperatorMetrics {

    private final MeterRegistry registry;
    private final Counter fetchBytes;
    private final Timer fetchDuration;

    public OperatorMetrics(MeterRegistry registry, ModuleCache cache) {
        this.registry = registry;
        this.fetchBytes =
                Counter.builder("wasmbind.fetch.bytes")
                        .description("Module bytes fetched")
                        .baseUnit("bytes")
                        .register(registry);
        this.fetchDuration =
                Timer.builder("wasmbind.fetch.duration")
                        .description("Time to fetch a module")
                        .register(registry);
        Gauge.builder("wasmbind.cache.modules", cache, ModuleCache::moduleCount)
                .description("Modules in the content-addressed cache")
                .register(registry);
        Gauge.builder("wasmbind.cache.bytes", cache, ModuleCache::totalBytes)
                .description("Bytes of modules in the content-addressed cache")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("wasmbind.cache.max.bytes", cache, ModuleCache::maxBytes)
                .description("The cache's size cap (0: none)")
                .baseUnit("bytes")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(
                        "wasmbind.cache.evictions", cache, ModuleCache::evictions)
                .description("Unreferenced modules evicted to keep the cache under its cap")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Counts a reconcile by how it ended. */
    public void reconciled(ReconcileOutcome outcome) {
        Counter.builder("wasmbind.reconciles")
                .description("WasmBinding reconciles by outcome")
                .tag("outcome", outcome.tag())
                .register(registry)
                .increment();
    }

    public void fetched(long bytes, Duration took) {
        fetchBytes.increment(bytes);
        fetchDuration.record(took);
    }

    /** Counts a failed fetch, validation or store by its condition reason (NotFound, Component). */
    public void failed(String reason) {
        Counter.builder("wasmbind.failures")
                .description("Failed fetches and validations by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
