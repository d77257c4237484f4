package dev.wasmbind.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.metrics.ReconcileOutcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthServerTest {

    @TempDir Path cacheDir;

    @Test
    void shouldServeProbesAndPrometheusMetrics() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ModuleCache cache = new ModuleCache(cacheDir, Clock.systemUTC());
        OperatorMetrics metrics = new OperatorMetrics(registry, cache);
        cache.store("a".repeat(64), new byte[] {1, 2, 3});
        metrics.fetched(3, Duration.ofMillis(5));
        metrics.reconciled(ReconcileOutcome.READY);
        metrics.failed("NotFound");
        AtomicBoolean ready = new AtomicBoolean(false);

        try (HealthServer server =
                HealthServer.start("127.0.0.1", 0, registry, () -> true, ready::get)) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
            String body = get(server, "/metrics").body();
            assertThat(body)
                    .contains("wasmbind_cache_modules 1.0")
                    .contains("wasmbind_cache_bytes 3.0")
                    .contains("wasmbind_fetch_bytes_total 3.0")
                    .contains("wasmbind_reconciles_total{outcome=\"ready\"} 1.0")
                    .contains("wasmbind_failures_total{reason=\"NotFound\"} 1.0")
                    .contains("wasmbind_fetch_duration_seconds_count 1");
        }
    }

    private static HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + server.port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
