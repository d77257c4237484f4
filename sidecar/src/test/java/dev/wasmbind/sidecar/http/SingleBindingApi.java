package dev.wasmbind.sidecar.http;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;

import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.RunSettings;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** The HTTP API serving one binding of a test module on 127.0.0.1, for socket-level tests. */
final class SingleBindingApi {

    private SingleBindingApi() {}

    /**
     * Listens with {@code limits}; the binding {@code module} (a test module's name) takes up to
     * {@code maxRequestBytes} and 4 calls at once.
     *
     * @return the port
     */
    static int listen(
            Vertx vertx, WorkerPool pool, String module, long maxRequestBytes, ServerLimits limits)
            throws Exception {
        return listen(vertx, pool, module, maxRequestBytes, limits, UnaryOperator.identity());
    }

    /** As above, the API set up further by {@code configure} before it listens. */
    static int listen(
            Vertx vertx,
            WorkerPool pool,
            String module,
            long maxRequestBytes,
            ServerLimits limits,
            UnaryOperator<DaprHttpApi> configure)
            throws Exception {
        var registry = new BindingRegistry();
        registry.put(
                new Binding.Ready(
                        module,
                        "file://" + module + ".wasm",
                        compiled(module),
                        RunSettings.builder(module).build(),
                        Duration.ofSeconds(30),
                        maxRequestBytes,
                        4,
                        false,
                        new Semaphore(4)));
        var metrics = new BindingMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        var api =
                new DaprHttpApi(
                                registry,
                                new BindingInvoker(registry, pool, new GuestRunner(), metrics),
                                metrics,
                                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                                "test")
                        .withServerLimits(limits);
        return configure
                .apply(api)
                .listen(vertx, "127.0.0.1", 0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }
}
