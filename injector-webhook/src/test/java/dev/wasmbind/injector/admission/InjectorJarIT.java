package dev.wasmbind.injector.admission;

import static dev.wasmbind.injector.admission.Reviews.bytes;
import static dev.wasmbind.injector.admission.Reviews.patchedPod;
import static dev.wasmbind.injector.admission.Reviews.patchedPodJson;
import static dev.wasmbind.injector.admission.Reviews.podCreate;
import static dev.wasmbind.injector.admission.Reviews.response;
import static dev.wasmbind.injector.admission.Reviews.withPod;
import static dev.wasmbind.injector.admission.TlsFixture.get;
import static dev.wasmbind.injector.admission.TlsFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wasmbind.injector.admission.ApiServerStyleClient.Answer;
import dev.wasmbind.injector.testing.WebhookConfigurations;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "done when": the packaged jar, started as documented, injects over HTTPS. */
@EnableKubernetesMockClient(crud = true)
class InjectorJarIT {

    static KubernetesClient client;

    private static final Path JAR = Path.of("target", "wasmbind-injector.jar");

    @TempDir Path dir;
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor();
            // The jar's own log, for whoever reads a failed run.
            Path log = dir.resolve("injector.log");
            if (Files.exists(log)) {
                System.out.println("--- injector log\n" + Files.readString(log));
            }
        }
    }

    @Test
    void shouldInjectWhenStartedAsDocumentedAndLeaveInjectedPodsUnpatched() throws Exception {
        assertThat(JAR).as("run mvn package first").exists();
        TlsFixture tls = new TlsFixture(dir);
        int port = freePort();
        Path log = dir.resolve("injector.log");
        process =
                new ProcessBuilder(
                                javaBinary(),
                                "-jar",
                                JAR.toString(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(port),
                                "--tls-cert",
                                tls.cert.toString(),
                                "--tls-key",
                                tls.key.toString(),
                                "--sidecar-image",
                                "example/wasmbind-sidecar:0.1.0",
                                "--native-sidecar")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        HttpClient client = tls.client();
        await().atMost(Duration.ofSeconds(60))
                .failFast("the injector exited", () -> !process.isAlive())
                .ignoreExceptions()
                .until(() -> get(client, port, "/readyz").statusCode() == 200);

        ObjectNode review = podCreate();
        JsonNode response = response(post(client, port, bytes(review)).body());
        Pod pod = patchedPod(review, response);

        assertThat(response.path("allowed").asBoolean()).isTrue();
        Container sidecar = pod.getSpec().getInitContainers().get(0);
        assertThat(sidecar.getName()).isEqualTo("wasmbind-sidecar");
        assertThat(sidecar.getImage()).isEqualTo("example/wasmbind-sidecar:0.1.0");
        assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
        SecurityContext sc = sidecar.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getSpec().getVolumes())
                .extracting(Volume::getName)
                .contains("wasmbind-modules", "wasmbind-token");
        assertThat(pod.getMetadata().getAnnotations()).containsKey("wasmbind.dev/injected");

        JsonNode again =
                response(
                        post(client, port, bytes(withPod(review, patchedPodJson(review, response))))
                                .body());
        assertThat(again.path("allowed").asBoolean()).isTrue();
        assertThat(again.has("patch")).isFalse();
        assertThat(Files.readString(log)).contains("listening on https://127.0.0.1:" + port);
    }

    @Test
    void shouldManageItsOwnCertificateAndCaBundleWhenStartedWithSelfManagedTls() throws Exception {
        WebhookConfigurations.createWithoutCaBundle(client);
        int port = freePort();
        process =
                new ProcessBuilder(
                                javaBinary(),
                                "-Dkubernetes.master=" + client.getMasterUrl(),
                                "-Dkubernetes.trust.certificates=true",
                                "-Dkubernetes.auth.tryKubeConfig=false",
                                "-Dkubernetes.auth.tryServiceAccount=false",
                                "-jar",
                                JAR.toString(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(port),
                                "--self-managed-tls",
                                "--namespace",
                                "wasmbind",
                                "--sidecar-image",
                                "example/wasmbind-sidecar:0.1.0")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("injector.log").toFile())
                        .start();

        String caBundle =
                await().atMost(Duration.ofSeconds(60))
                        .failFast("the injector exited", () -> !process.isAlive())
                        .until(
                                () ->
                                        client.admissionRegistration()
                                                .v1()
                                                .mutatingWebhookConfigurations()
                                                .withName("wasmbind-injector")
                                                .get()
                                                .getWebhooks()
                                                .get(0)
                                                .getClientConfig()
                                                .getCaBundle(),
                                caBundleValue -> caBundleValue != null);
        String caPem = new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII);
        Vertx vertx = Vertx.vertx();
        try {
            Answer ready =
                    await().atMost(Duration.ofSeconds(60))
                            .ignoreExceptions()
                            .until(
                                    () -> ApiServerStyleClient.get(vertx, caPem, port, "/readyz"),
                                    answer -> answer.statusCode() == 200);
            assertThat(ready.certificate().getSubjectX500Principal().getName())
                    .isEqualTo("CN=wasmbind-injector");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        assertThat(client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls").get())
                .isNotNull();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
