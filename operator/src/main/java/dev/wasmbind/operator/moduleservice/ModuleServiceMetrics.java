package dev.wasmbind.operator.moduleservice;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The module service's meters (Prometheus names in docs/module-service.md): requests by route and
 * status with their latency, authentication failures by reason, the token-review cache, waiting
 * long-polls, source fetches and certificate reloads.
 */
public final class ModuleServiceMetrics {

    /** Route tag values. */
    public static final String BINDINGS = "bindings";

    public static final String BINDINGS_WAIT = "bindings_wait";
    public static final String MODULE = "module";
    public static final String OTHER = "other";

    private final MeterRegistry registry;

    public ModuleServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges and counters read from the service's parts. */
    void bind(CachingTokenReviewer reviews, BindingViews views, CallerRateLimiter limiter) {
        FunctionCounter.builder(
                        "wasmbind.module.service.token.reviews",
                        reviews,
                        CachingTokenReviewer::hits)
                .description("Token reviews by where the answer came from")
                .tag("result", "cache_hit")
                .register(registry);
        FunctionCounter.builder(
                        "wasmbind.module.service.token.reviews",
                        reviews,
                        CachingTokenReviewer::misses)
                .description("Token reviews by where the answer came from")
                .tag("result", "api_server")
                .register(registry);
        Gauge.builder("wasmbind.module.service.token.cache.size", reviews, r -> r.size())
                .description("Token reviews remembered")
                .register(registry);
        Gauge.builder("wasmbind.module.service.waiting", views, v -> v.subscribers())
                .description("Long-polls waiting for a change")
                .register(registry);
        Gauge.builder("wasmbind.module.service.callers", limiter, l -> l.size())
                .description("Callers with a rate-limit bucket")
                .register(registry);
    }

    /** One answered request: route, HTTP status and time from arrival to the last byte. */
    public void request(String route, int status, Duration took) {
        Timer.builder("wasmbind.module.service.requests")
                .description("Module service requests by route and status")
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record(took);
    }

    /**
     * A refused caller: missing_token, rejected, not_service_account, other_namespace,
     * review_unavailable, rate_limited.
     */
    public void authFailure(String reason) {
        Counter.builder("wasmbind.module.service.auth.failures")
                .description("Requests refused before reaching a handler, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** A module fetched from its source by a replica that lacked it: ok or failed. */
    public void sourceFetch(String result) {
        Counter.builder("wasmbind.module.service.source.fetches")
                .description("Modules a replica fetched from the source because it lacked them")
                .tag("result", result)
                .register(registry)
                .increment();
    }

    /** The serving certificate was reloaded: ok or failed. */
    public void certificateReload(String result) {
        Counter.builder("wasmbind.module.service.certificate.reloads")
                .description("Reloads of the serving certificate after its files changed")
                .tag("result", result)
                .register(registry)
                .increment();
    }
}
