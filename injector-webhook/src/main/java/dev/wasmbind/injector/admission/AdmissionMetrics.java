package dev.wasmbind.injector.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The injector's Prometheus metrics: reviews, injections, skips, denials, errors, latency. */
final class AdmissionMetrics {

    private final MeterRegistry registry;
    private final Counter injections;
    private final Timer latency;

    AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.injections =
                Counter.builder("wasmbind.injector.injections")
                        .description("Pods the sidecar was injected into")
                        .register(registry);
        this.latency =
                Timer.builder("wasmbind.injector.review.duration")
                        .description(
                                "Time to answer one AdmissionReview, from parsed body to reply")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                        .maximumExpectedValue(Duration.ofSeconds(5))
                        .register(registry);
    }

    void review(String operation) {
        Counter.builder("wasmbind.injector.reviews")
                .description("AdmissionReviews received, by operation")
                .tag("operation", operation)
                .register(registry)
                .increment();
    }

    void injected() {
        injections.increment();
    }

    /** reason: not-requested, already-injected, not-create, not-a-pod. */
    void skipped(String reason) {
        Counter.builder("wasmbind.injector.skips")
                .description("Reviews answered allowed without a patch, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    void denied(String annotation) {
        Counter.builder("wasmbind.injector.denials")
                .description("Pods denied for an invalid annotation, by annotation")
                .tag("annotation", annotation)
                .register(registry)
                .increment();
    }

    /** reason: malformed (HTTP 400), bad-object (allowed unchanged). */
    void error(String reason) {
        Counter.builder("wasmbind.injector.errors")
                .description("Reviews that could not be read, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    void latency(long nanos) {
        latency.record(Duration.ofNanos(nanos));
    }
}
