package dev.wasmbind.injector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.injector.admission.ApiServerStyleClient.Answer;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.testing.WebhookConfigurations;
import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.PemPair;
import dev.wasmbind.injector.tls.SelfManagedCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Self-managed TLS end to end: certificate from the Secret, caBundle published, rotation. */
@EnableKubernetesMockClient(crud = true)
class SelfManagedTlsIT {

    static KubernetesClient client;
    private Vertx vertx;
    private AdmissionServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop().toCompletionStage().toCompletableFuture().get();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private AdmissionServer start(SelfManagedCertificates certs) throws Exception {
        vertx = Vertx.vertx();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server =
                AdmissionServer.builder()
                        .vertx(vertx)
                        .host("127.0.0.1")
                        .port(0)
                        .injector(
                                new SidecarInjector(
                                        SidecarConfig.builder().image("example/sidecar").build()))
                        .certificates(
                                new CertificateReloader(
                                        vertx, certs, Duration.ofMillis(200), registry))
                        .readinessCheck(certs::caBundleProblem)
                        .registry(registry)
                        .build()
                        .start()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get();
        return server;
    }

    private static SelfManagedCertificates certificates() {
        return SelfManagedCertificates.builder()
                .client(client)
                .namespace("wasmbind")
                .secretName("wasmbind-injector-tls")
                .serviceName("wasmbind-injector")
                .webhookConfigurationName("wasmbind-injector")
                .build();
    }

    @Test
    void shouldServeTheSelfManagedCertificateAndPickUpARenewalByAnotherReplica() throws Exception {
        createWebhookConfiguration();
        start(certificates());
        String caBundle =
                client.admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName("wasmbind-injector")
                        .get()
                        .getWebhooks()
                        .get(0)
                        .getClientConfig()
                        .getCaBundle();
        String caPem = new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII);

        // The API server's view: trust the caBundle, expect the Service's DNS name.
        Answer ready = get(caPem, "/readyz");
        X509Certificate first = ready.certificate();

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(first.getSubjectX500Principal().getName()).isEqualTo("CN=wasmbind-injector");

        // Another replica renews the serving certificate in the Secret: this one follows.
        // The CA key lives in its own Secret, apart from the serving key every replica reads.
        Secret caSecret =
                client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls-ca").get();
        CertificateAuthority ca =
                CertificateAuthority.fromPem(caPem, decode(caSecret.getData().get("ca.key")));
        PemPair renewed = ca.issue(certificates().dnsNames(), Duration.ofDays(365));
        client.secrets()
                .inNamespace("wasmbind")
                .withName("wasmbind-injector-tls")
                .edit(
                        s -> {
                            s.getData().put("tls.crt", encode(renewed.certificateChain()));
                            s.getData().put("tls.key", encode(renewed.privateKey()));
                            return s;
                        });
        X509Certificate expected = PemPair.certificates(renewed.certificateChain()).get(0);

        // A handshake refused once right at a swap was seen on a loaded machine (not reproduced
        // in later runs): the rotation is what this test checks, so such an attempt is retried.
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptionsInstanceOf(ExecutionException.class)
                .until(
                        () -> get(caPem, "/healthz").certificate(),
                        served -> served.getSerialNumber().equals(expected.getSerialNumber()));
    }

    @Test
    void shouldNotBeReadyWhileTheWebhookConfigurationIsMissing() throws Exception {
        client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("wasmbind-injector")
                .delete();
        start(certificates());
        Secret secret =
                client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls").get();

        Answer ready = get(decode(secret.getData().get("ca.crt")), "/readyz");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body())
                .contains("MutatingWebhookConfiguration wasmbind-injector not found");
    }

    private void createWebhookConfiguration() {
        WebhookConfigurations.createWithoutCaBundle(client);
    }

    private Answer get(String caPem, String path) throws Exception {
        return ApiServerStyleClient.get(vertx, caPem, server.port(), path);
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
