package dev.wasmbind.cluster;

import static dev.wasmbind.cluster.ClusterInABox.TEAM_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In-cluster delivery end to end, without a cluster: the AdmissionReview an API server sends for an
 * annotated Deployment pod goes to the injector over HTTPS; the sidecar container of the patched
 * pod runs as a process with that container's args and env; it syncs team-a's binding from the
 * operator's module service over HTTPS with its projected token, which the (mock) API server
 * reviews. Each test starts from the binding pointing at hello.wasm and the sidecar answering it.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterInABoxIT {

    static KubernetesClient client;
    static KubernetesMockServer server;

    /** Dapr's bindings.wasm docs request (examples/README.md). */
    static final String DOCS_REQUEST =
            "{\"operation\":\"execute\",\"metadata\":{\"args\":\"-ne,'print \\\"Hello,"
                    + " \\\"; print'\"},\"data\":\"salaboy\"}";

    static final String HELLO = "Hello, \"salaboy\"";
    static final String UPPERCASE = "\"SALABOY\"";

    private static ClusterInABox box;
    private static SidecarProcess sidecar;
    private static Path modulesDir;

    @BeforeAll
    static void startCluster() throws Exception {
        box = ClusterInABox.start(client, server);
        modulesDir = box.dir.resolve("emptydir-modules");
        sidecar = box.startInjectedSidecar(modulesDir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (sidecar != null) {
            sidecar.close();
        }
        if (box != null) {
            box.close();
        }
    }

    @BeforeEach
    void helloIsServed() throws Exception {
        if (!box.operatorRunning()) {
            box.restartOperator();
        }
        box.pointBindingAt("hello.wasm");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> sidecar.call("hello", DOCS_REQUEST).body().equals(HELLO));
    }

    @Test
    void shouldInjectTheSidecarThatSyncsFromTheModuleService() {
        assertThat(sidecar.command())
                .containsSequence("--module-service", box.moduleServiceUrl())
                .containsSequence("--bindings", "hello");
        assertThat(sidecar.env())
                .containsEntry("POD_NAMESPACE", TEAM_A)
                .containsEntry("POD_NAME", ClusterInABox.POD_NAME)
                .containsKey("WASMBIND_MODULE_SERVICE_CA");
    }

    @Test
    void shouldAnswerTheDaprDocsRequestThroughTheInjectedSidecar() throws Exception {
        HttpResponse<String> answer = sidecar.call("hello", DOCS_REQUEST);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(HELLO);
        assertThat(modulesDir.resolve("sha256").resolve(box.sha256("hello.wasm") + ".wasm"))
                .exists();
    }

    @Test
    void shouldSwapTheModuleWithinFiveSecondsWithoutAFailedCall() throws Exception {
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        Thread client =
                new Thread(
                        () -> {
                            while (calling.get()) {
                                try {
                                    HttpResponse<String> r = sidecar.call("hello", DOCS_REQUEST);
                                    calls.incrementAndGet();
                                    if (r.statusCode() != 200
                                            || !(r.body().equals(HELLO)
                                                    || r.body().equals(UPPERCASE))) {
                                        failures.add(r.statusCode() + " " + r.body());
                                    } else if (answers.isEmpty()
                                            || !answers.get(answers.size() - 1).equals(r.body())) {
                                        answers.add(r.body());
                                    }
                                } catch (Exception e) {
                                    failures.add(e.toString());
                                }
                            }
                        },
                        "looping-client");
        client.start();
        try {
            await().until(() -> calls.get() > 5);
            box.pointBindingAt("uppercase.wasm");
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> answers.contains(UPPERCASE));
            int seen = calls.get();
            await().until(() -> calls.get() > seen + 5);
        } finally {
            calling.set(false);
            client.join(15_000);
        }

        assertThat(failures).isEmpty();
        // hello until the swap, uppercase from then on: no flapping back to the old module
        assertThat(answers).containsExactly(HELLO, UPPERCASE);
    }

    @Test
    void shouldKeepServingWithTheOperatorDownAndRestartFromTheEmptyDir() throws Exception {
        box.stopOperator();

        assertThat(sidecar.call("hello", DOCS_REQUEST).body()).isEqualTo(HELLO);

        sidecar.stop();
        sidecar.start(Duration.ofSeconds(90));
        HttpResponse<String> fromEmptyDir = sidecar.call("hello", DOCS_REQUEST);

        assertThat(fromEmptyDir.statusCode()).isEqualTo(200);
        assertThat(fromEmptyDir.body()).isEqualTo(HELLO);
        // it really had no module service: the sync reports failures
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(
                                                sidecar.metadata()
                                                        .path("moduleService")
                                                        .path("lastError")
                                                        .asText())
                                        .isNotBlank());
    }

    @Test
    void shouldRefuseAnotherNamespacesTokenWith403AndABadTokenWith401() throws Exception {
        String bindings = "/v1/namespaces/team-a/bindings?names=hello";
        String module = "/v1/namespaces/team-a/modules/sha256/" + box.sha256("hello.wasm");

        assertThat(moduleService(bindings, box.tokenA)).isEqualTo(200);
        assertThat(moduleService(module, box.tokenA)).isEqualTo(200);
        assertThat(moduleService(bindings, box.tokenB)).isEqualTo(403);
        assertThat(moduleService(module, box.tokenB)).isEqualTo(403);
        assertThat(moduleService(bindings, box.badToken)).isEqualTo(401);
        assertThat(moduleService(module, box.badToken)).isEqualTo(401);
    }

    @Test
    void shouldRefuseATamperedModuleAndKeepServingTheOldOne() throws Exception {
        // The operator's cache file for json-greet's digest holds other bytes of the same size
        // (a corrupted disk, or someone with write access to the volume). The operator keeps a
        // digest it already has, so it reports the binding Ready and the service sends them.
        byte[] tampered = box.module("json-greet.wasm");
        tampered[tampered.length - 1] ^= 0x01;
        String digest = box.sha256("json-greet.wasm");
        Path cached = box.cacheDir.resolve("sha256").resolve(digest);
        Files.createDirectories(cached.getParent());
        Files.write(cached, tampered);

        box.pointBindingAt("json-greet.wasm");

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(
                                                sidecar.metadata()
                                                        .path("moduleService")
                                                        .path("lastError")
                                                        .asText())
                                        .contains(digest));
        assertThat(sidecar.call("hello", DOCS_REQUEST).body()).isEqualTo(HELLO);
        assertThat(modulesDir.resolve("sha256").resolve(digest + ".wasm")).doesNotExist();
        Files.delete(cached);
    }

    private static int moduleService(String path, String token) throws Exception {
        return box.https()
                .send(
                        HttpRequest.newBuilder(URI.create(box.moduleServiceUrl() + path))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
