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
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "done when": the packaged jar, started as documented, injects over HTTPS. */
class InjectorJarIT {

    private static final Path JAR = Path.of("target", "wasmbind-injector.jar");

    @TempDir Path dir;
    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
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
