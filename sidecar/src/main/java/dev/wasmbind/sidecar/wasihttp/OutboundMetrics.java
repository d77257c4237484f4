package dev.wasmbind.sidecar.wasihttp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code wasmbind_outbound_requests_total{binding,outcome}}: guest HTTP requests that were sent
 * ({@code sent}), refused by the binding's policy or the address guard ({@code refused}) or that
 * failed on the way ({@code failed}: connection error, timeout, response too large). Guests run
 * deep inside the runtime, so the sidecar binds its registries here once at start.
 */
public final class OutboundMetrics {

    /** How a guest's request ended. */
    public enum Outcome {
        SENT,
        REFUSED,
        FAILED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final List<MeterRegistry> REGISTRIES = new CopyOnWriteArrayList<>();

    private OutboundMetrics() {}

    /** Counts guest requests into {@code registry} from now on. */
    public static void bindTo(MeterRegistry registry) {
        if (!REGISTRIES.contains(registry)) {
            REGISTRIES.add(registry);
        }
    }

    static void record(String binding, Outcome outcome) {
        for (MeterRegistry registry : REGISTRIES) {
            Counter.builder("wasmbind.outbound.requests")
                    .description("Outbound HTTP requests of guests by outcome")
                    .tags("binding", binding, "outcome", outcome.label())
                    .register(registry)
                    .increment();
        }
    }
}
