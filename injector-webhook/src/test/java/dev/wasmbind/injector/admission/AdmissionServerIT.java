package dev.wasmbind.injector.admission;

import static dev.wasmbind.injector.admission.Reviews.bytes;
import static dev.wasmbind.injector.admission.Reviews.patchedPod;
import static dev.wasmbind.injector.admission.Reviews.patchedPodJson;
import static dev.wasmbind.injector.admission.Reviews.podCreate;
import static dev.wasmbind.injector.admission.Reviews.response;
import static dev.wasmbind.injector.admission.Reviews.withPod;
import static dev.wasmbind.injector.admission.TlsFixture.get;
import static dev.wasmbind.injector.admission.TlsFixture.post;
import static dev.wasmbind.injector.admission.TlsFixture.servedCertificate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.PemFiles;
import dev.wasmbind.injector.tls.PemPair;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS server end to end: a real TLS client sends the API server's AdmissionReview JSON. */
class AdmissionServerIT {

    @TempDir Path dir;
    private Vertx vertx;
    private TlsFixture tls;
    private CertificateReloader reloader;
    private AdmissionServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        tls = new TlsFixture(dir);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        reloader =
                new CertificateReloader(
                        vertx, new PemFiles(tls.cert, tls.key), Duration.ofMillis(100), registry);
        server =
                AdmissionServer.builder()
                        .vertx(vertx)
                        .host("127.0.0.1")
                        .port(0)
                        .injector(
                                new SidecarInjector(
                                        SidecarConfig.builder()
                                                .image("example/wasmbind-sidecar:1.0")
                                                .injectorVersion("1.0")
                                                .build()))
                        .certificates(reloader)
                        .registry(registry)
                        .build()
                        .start()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get();
    }

    @AfterEach
    void stop() throws Exception {
        // One after the other: a future of a closed Vert.x could not deliver its completion.
        server.stop().toCompletionStage().toCompletableFuture().get();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void shouldInjectOverHttpsAndLeaveAnInjectedPodUnpatched() {
        ObjectNode review = podCreate();

        HttpResponse<byte[]> first = post(tls.client(), server.port(), bytes(review));
        JsonNode response = response(first.body());
        Pod pod = patchedPod(review, response);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(pod.getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("app", "wasmbind-sidecar");
        assertThat(
                        pod.getSpec()
                                .getContainers()
                                .get(1)
                                .getSecurityContext()
                                .getReadOnlyRootFilesystem())
                .isTrue();

        ObjectNode again = withPod(review, patchedPodJson(review, response));
        JsonNode second = response(post(tls.client(), server.port(), bytes(again)).body());

        assertThat(second.path("allowed").asBoolean()).isTrue();
        assertThat(second.has("patch")).isFalse();
    }

    @Test
    void shouldAnswerMalformedBodyWith400AndTheReason() {
        HttpResponse<byte[]> reply =
                post(tls.client(), server.port(), "{not json".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                .contains("the body is not JSON");
    }

    @Test
    void shouldServeHealthReadinessAndMetrics() {
        post(tls.client(), server.port(), bytes(podCreate()));

        HttpResponse<byte[]> health = get(tls.client(), server.port(), "/healthz");
        HttpResponse<byte[]> ready = get(tls.client(), server.port(), "/readyz");
        String metrics =
                new String(
                        get(tls.client(), server.port(), "/metrics").body(),
                        StandardCharsets.UTF_8);

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(metrics)
                .contains("wasmbind_injector_reviews_total{operation=\"CREATE\"} 1.0")
                .contains("wasmbind_injector_injections_total 1.0")
                .contains("wasmbind_injector_review_duration_seconds_bucket")
                .contains("wasmbind_injector_review_duration_seconds_count 1");
    }

    @Test
    void shouldPickUpARotatedCertificateWithoutRestart() throws Exception {
        BigInteger before =
                servedCertificate(get(tls.client(), server.port(), "/healthz")).getSerialNumber();
        PemPair rotated = tls.issue();
        BigInteger after =
                PemPair.certificates(rotated.certificateChain()).get(0).getSerialNumber();

        tls.write(rotated);

        // A handshake that races the swap itself can be refused, however it surfaces (seen on a
        // loaded machine; docs/injector.md, "TLS"), and the reloader's poll can lag under load:
        // the rotation is what this test checks, so it retries within a generous bound.
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(
                        () ->
                                servedCertificate(get(tls.client(), server.port(), "/healthz"))
                                        .getSerialNumber(),
                        serial -> serial.equals(after));
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void shouldKeepTheCurrentCertificateWhenTheNewPairIsInvalid() throws Exception {
        reloader.stop();
        BigInteger before =
                servedCertificate(get(tls.client(), server.port(), "/healthz")).getSerialNumber();
        PemPair other =
                CertificateAuthority.create("other", Duration.ofDays(1))
                        .issue(List.of("127.0.0.1"), Duration.ofDays(1));
        tls.write(new PemPair(tls.issue().certificateChain(), other.privateKey()));

        Throwable failure =
                reloader.check(server.httpServer())
                        .toCompletionStage()
                        .toCompletableFuture()
                        .handle((ok, e) -> e)
                        .get();

        assertThat(failure).hasMessageContaining("does not belong to the certificate");
        assertThat(
                        servedCertificate(get(tls.client(), server.port(), "/healthz"))
                                .getSerialNumber())
                .isEqualTo(before);
        HttpResponse<byte[]> ready = get(tls.client(), server.port(), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new String(ready.body(), StandardCharsets.UTF_8))
                .contains("last certificate reload failed");
    }
}
