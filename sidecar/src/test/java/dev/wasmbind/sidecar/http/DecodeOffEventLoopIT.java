package dev.wasmbind.sidecar.http;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.RunSettings;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where request bodies are decoded, over real HTTP on 127.0.0.1 with one event loop: never on the
 * event loop; for a ready binding on the worker that runs the guest, for other names on a body
 * decoder thread.
 */
class DecodeOffEventLoopIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final WorkerPool pool = new WorkerPool(2, 16);
    private final BindingRegistry registry = new BindingRegistry();
    private final List<String> decodedOn = new CopyOnWriteArrayList<>();
    private final CountDownLatch decoding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean block;
    private int port;

    @BeforeEach
    void start() throws Exception {
        registry.put(
                new Binding.Ready(
                        "cat",
                        "file://cat.wasm",
                        compiled("cat"),
                        RunSettings.builder("cat").build(),
                        Duration.ofSeconds(30),
                        1024,
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
                        .withDecoder(
                                (body, offset, length, rawData) -> {
                                    decodedOn.add(
                                            (Context.isOnEventLoopThread() ? "event loop " : "")
                                                    + Thread.currentThread().getName());
                                    if (block) {
                                        decoding.countDown();
                                        awaitRelease();
                                    }
                                    return BindingRequest.parse(body, offset, length, rawData);
                                });
        port =
                api.listen(vertx, "127.0.0.1", 0)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool.close();
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<HttpResponse<String>> post(String name, String body) {
        return HTTP.sendAsync(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/v1.0/bindings/" + name))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldDecodeABindingsBodyOnTheWorkerThatRunsItsGuest() throws Exception {
        HttpResponse<String> answer =
                post("cat", "{\"operation\":\"execute\",\"data\":\"x\"}").get(30, TimeUnit.SECONDS);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("\"x\"");
        assertThat(decodedOn).singleElement().asString().startsWith("wasm-worker-");
    }

    @Test
    void shouldDecodeTheBodyOfAnUnknownNameOffTheEventLoop() throws Exception {
        HttpResponse<String> answer = post("nope", "{").get(30, TimeUnit.SECONDS);

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("ERR_MALFORMED_REQUEST");
        assertThat(decodedOn).singleElement().asString().startsWith("body-decoder-");
    }

    @Test
    void shouldAnswerHealthzWhileABodyIsBeingDecoded() throws Exception {
        block = true;
        CompletableFuture<HttpResponse<String>> call =
                post("cat", "{\"operation\":\"execute\",\"data\":\"slow\"}");
        assertThat(decoding.await(30, TimeUnit.SECONDS)).isTrue();

        HttpResponse<String> health =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v1.0/healthz"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        release.countDown();

        assertThat(health.statusCode()).isEqualTo(204);
        assertThat(call.get(30, TimeUnit.SECONDS).body()).isEqualTo("\"slow\"");
    }
}
