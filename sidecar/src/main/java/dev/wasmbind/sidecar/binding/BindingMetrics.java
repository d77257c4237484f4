package dev.wasmbind.sidecar.binding;

import dev.wasmbind.sidecar.runtime.MemoryBudget;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-binding call metrics: {@code wasmbind_binding_calls_total{binding,outcome}}, {@code
 * wasmbind_binding_duration_seconds{binding}} (a histogram) and {@code
 * wasmbind_binding_inflight{binding}}.
 */
public final class BindingMetrics {

    /** The label of calls to names no binding has, so unknown names cannot grow the series. */
    public static final String UNKNOWN_BINDING = "_unknown";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, AtomicInteger> inflight = new ConcurrentHashMap<>();
    // Looking meters up in the registry on every call costs more than the call's bookkeeping.
    private final ConcurrentHashMap<String, Meters> meters = new ConcurrentHashMap<>();

    public BindingMetrics(MeterRegistry registry) {
        this.registry = registry;
        dev.wasmbind.sidecar.wasihttp.OutboundMetrics.bindTo(registry);
    }

    public void record(String binding, CallOutcome outcome, Duration duration) {
        Meters of = meters.computeIfAbsent(binding, Meters::new);
        of.calls(outcome).increment();
        of.duration.record(duration);
    }

    /** One binding's meters, registered on first use (a call counter per outcome seen). */
    private final class Meters {
        private final String binding;
        private final Timer duration;
        private final AtomicReferenceArray<Counter> calls =
                new AtomicReferenceArray<>(CallOutcome.values().length);

        Meters(String binding) {
            this.binding = binding;
            this.duration =
                    Timer.builder("wasmbind.binding.duration")
                            .description("Time from request to answer of a binding's calls")
                            .tags("binding", binding)
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofNanos(50_000))
                            .maximumExpectedValue(Duration.ofSeconds(30))
                            .register(registry);
        }

        Counter calls(CallOutcome outcome) {
            Counter counter = calls.get(outcome.ordinal());
            if (counter == null) {
                // Registering twice answers the same counter, so a race is harmless.
                counter =
                        Counter.builder("wasmbind.binding.calls")
                                .description("Calls of a binding by outcome")
                                .tags("binding", binding, "outcome", outcome.label())
                                .register(registry);
                calls.set(outcome.ordinal(), counter);
            }
            return counter;
        }
    }

    /**
     * The sidecar-wide gauges: {@code wasmbind_guests_stuck} (worker threads held by guests that
     * could not be stopped), {@code wasmbind_guests_abandoned_total}, {@code
     * wasmbind_watchdog_errors_total} and {@code wasmbind_guest_memory_reserved_bytes} next to
     * {@code wasmbind_guest_memory_budget_bytes}.
     */
    public void watch(WorkerPool pool, MemoryBudget budget) {
        Gauge.builder("wasmbind.guests.stuck", pool, WorkerPool::abandonedWorkers)
                .description("Worker threads held by guests that could not be stopped")
                .register(registry);
        FunctionCounter.builder(
                        "wasmbind.guests.abandoned", pool, WorkerPool::abandonedWorkersTotal)
                .description("Worker threads abandoned to guests since start")
                .register(registry);
        FunctionCounter.builder("wasmbind.watchdog.errors", pool, WorkerPool::watchdogErrors)
                .description("Errors the timeout watchdog survived")
                .register(registry);
        Gauge.builder("wasmbind.guest.memory.reserved", budget, MemoryBudget::reservedBytes)
                .description("Linear memory reserved by running guests")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("wasmbind.guest.memory.budget", budget, MemoryBudget::limitBytes)
                .description("Linear memory all running guests may reserve together")
                .baseUnit("bytes")
                .register(registry);
    }

    /** The in-flight counter of {@code binding}, registered on first use. */
    public AtomicInteger inflight(String binding) {
        return inflight.computeIfAbsent(
                binding,
                b -> {
                    var count = new AtomicInteger();
                    Gauge.builder("wasmbind.binding.inflight", count, AtomicInteger::get)
                            .description("Calls of a binding running now")
                            .tags("binding", b)
                            .register(registry);
                    return count;
                });
    }
}
