package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wasmbind.module.testing.TestCa;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-pod sidecar against a hand-written module service over real HTTPS on 127.0.0.1: sync,
 * readiness, hot swap under load, the service going away, restarts, tampered downloads, a foreign
 * CA, and the two listeners.
 */
@ExtendWith(VertxExtension.class)
class InPodSidecarIT {

    private static final Path TEST_MODULES = Path.of("src/test/resources/wasm").toAbsolutePath();
    private static final Path EXAMPLE_MODULES =
            Path.of("../examples/bindings/modules").toAbsolutePath().normalize();
    private static final Path CAT = TEST_MODULES.resolve("cat.wasm");
    private static final Path UPPERCASE = EXAMPLE_MODULES.resolve("uppercase.wasm");
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static TestCa ca;

    @TempDir Path modulesDir;
    @TempDir Path secrets;

    private Vertx vertx;
    private FakeModuleService service;
    private Path tokenFile;
    private WebClient client;
    private final List<InPodSidecar> sidecars = new ArrayList<>();

    @BeforeAll
    static void makeCa() throws Exception {
        ca = TestCa.create("wasmbind-module-service-ca");
    }

    @BeforeEach
    void startService() throws Exception {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        tokenFile = secrets.resolve("token");
        Files.writeString(tokenFile, "token-1\n");
        service = new FakeModuleService(vertx, ca, "shop", "token-1").start();
    }

    @AfterEach
    void stopAll() throws Exception {
        sidecars.forEach(InPodSidecar::close);
        service.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private InPodSidecar.Builder sidecar(String... bindings) {
        return InPodSidecar.builder()
                .withModuleService(URI.create(service.url()))
                .withCaPem(ca.caPem())
                .withTokenFile(tokenFile)
                .withNamespace("shop")
                .withBindings(List.of(bindings))
                .withModulesDir(modulesDir)
                .withPort(0)
                .withHealthPort(0)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .withLongPollWait(Duration.ofSeconds(5));
    }

    private InPodSidecar started(InPodSidecar.Builder builder) throws Exception {
        InPodSidecar sidecar = builder.start();
        sidecars.add(sidecar);
        return sidecar;
    }

    private HttpResponse<Buffer> post(InPodSidecar sidecar, String binding, String data)
            throws Exception {
        return client.post(sidecar.port(), "127.0.0.1", "/v1.0/bindings/" + binding)
                .sendBuffer(Buffer.buffer("{\"operation\":\"execute\",\"data\":" + data + "}"))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private HttpResponse<Buffer> get(String host, int port, String path) throws Exception {
        return client.get(port, host, path)
                .send()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private int healthz(InPodSidecar sidecar) throws Exception {
        return get("127.0.0.1", sidecar.healthPort(), "/v1.0/healthz").statusCode();
    }

    private JsonObject moduleService(InPodSidecar sidecar) throws Exception {
        return get("127.0.0.1", sidecar.port(), "/v1.0/metadata")
                .bodyAsJsonObject()
                .getJsonObject("moduleService");
    }

    @Test
    void shouldSyncTheRequestedBindingsAndAnswerWithTheViewsReasonForTheOthers() throws Exception {
        service.putReady("cat", CAT, new JsonObject().put("rawData", true));
        service.putNotReady("broken", "Failed", "invalid module: it imports env.foo");

        InPodSidecar sidecar = started(sidecar("cat", "broken", "typo"));
        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);

        assertThat(post(sidecar, "cat", "\"meow\"").bodyAsString()).isEqualTo("meow");
        HttpResponse<Buffer> broken = post(sidecar, "broken", "1");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.bodyAsJsonObject().getString("errorCode"))
                .isEqualTo("ERR_INVOKE_OUTPUT_BINDING");
        assertThat(broken.bodyAsJsonObject().getString("message"))
                .isEqualTo(
                        "error invoking output binding broken: binding broken is not loaded:"
                                + " Failed: invalid module: it imports env.foo");
        assertThat(post(sidecar, "typo", "1").bodyAsJsonObject().getString("message"))
                .contains("NotFound: no WasmBinding named typo in namespace shop");
        assertThat(moduleService(sidecar).getString("state")).isEqualTo("IN_SYNC");
        assertThat(Files.readString(modulesDir.resolve("bindings.json"))).contains("\"cat\"");
    }

    @Test
    void shouldBeReadyOnlyOnceEveryRequestedBindingIsLoaded() throws Exception {
        service.putReady("cat", CAT, new JsonObject());
        service.putNotReady("later", "Pending", "fetching oci://registry.example/later:1");
        InPodSidecar sidecar = started(sidecar("cat", "later"));
        await().atMost(BOUND)
                .until(() -> moduleService(sidecar).getString("state").equals("IN_SYNC"));
        await().atMost(BOUND).until(() -> post(sidecar, "cat", "1").statusCode() == 200);

        assertThat(healthz(sidecar)).isEqualTo(500);
        assertThat(get("127.0.0.1", sidecar.port(), "/v1.0/healthz").statusCode()).isEqualTo(500);
        assertThat(post(sidecar, "later", "1").bodyAsJsonObject().getString("message"))
                .endsWith("Pending: fetching oci://registry.example/later:1");

        service.putReady("later", UPPERCASE, new JsonObject());

        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);
        assertThat(post(sidecar, "later", "\"up\"").bodyAsString()).isEqualTo("\"UP\"");
    }

    @Test
    void shouldSwapANewDigestInWithoutFailingAConcurrentCall() throws Exception {
        service.putReady("swap", CAT, new JsonObject());
        InPodSidecar sidecar = started(sidecar("swap"));
        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> lastAnswer = new AtomicReference<>();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            loops.add(
                    CompletableFuture.runAsync(
                            () -> {
                                while (calling.get()) {
                                    try {
                                        HttpResponse<Buffer> r = post(sidecar, "swap", "\"ab\"");
                                        calls.incrementAndGet();
                                        if (r.statusCode() != 200) {
                                            failures.add(r.statusCode() + " " + r.bodyAsString());
                                        }
                                        lastAnswer.set(r.bodyAsString());
                                    } catch (Exception e) {
                                        failures.add(e.toString());
                                    }
                                }
                            }));
        }
        await().atMost(BOUND).until(() -> calls.get() > 20);

        service.putReady("swap", UPPERCASE, new JsonObject());
        await().atMost(BOUND).until(() -> "\"AB\"".equals(lastAnswer.get()));
        int afterSwap = calls.get();
        await().atMost(BOUND).until(() -> calls.get() > afterSwap + 20);
        calling.set(false);
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(failures).isEmpty();
        assertThat(get("127.0.0.1", sidecar.healthPort(), "/metrics").bodyAsString())
                .contains("wasmbind_binding_swaps_total 1.0");
    }

    @Test
    void shouldKeepServingWhileTheServiceIsDownAndServeFromTheModulesDirAfterARestart()
            throws Exception {
        service.putReady("cat", CAT, new JsonObject().put("rawData", true));
        InPodSidecar first = started(sidecar("cat"));
        await().atMost(BOUND).until(() -> healthz(first) == 204);

        service.close();

        await().atMost(BOUND)
                .until(() -> moduleService(first).getString("state").equals("RETRYING"));
        JsonObject state = moduleService(first);
        assertThat(state.getString("lastError")).contains("cannot reach 127.0.0.1");
        assertThat(state.getDouble("failures")).isPositive();
        assertThat(post(first, "cat", "\"still\"").bodyAsString()).isEqualTo("still");
        assertThat(get("127.0.0.1", first.healthPort(), "/metrics").bodyAsString())
                .contains("wasmbind_module_service_up 0.0");

        first.close();
        sidecars.remove(first);
        InPodSidecar restarted = started(sidecar("cat"));

        assertThat(healthz(restarted)).isEqualTo(204);
        assertThat(post(restarted, "cat", "\"again\"").bodyAsString()).isEqualTo("again");
    }

    @Test
    void shouldRefuseAModuleWhoseBytesDoNotMatchItsDigestAndKeepTheOldOne() throws Exception {
        service.putReady("cat", CAT, new JsonObject());
        InPodSidecar sidecar = started(sidecar("cat"));
        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);
        int downloads = service.moduleDownloads.get();

        String hex =
                Optional.of(Files.readAllBytes(UPPERCASE))
                        .map(dev.wasmbind.module.source.Digests::sha256Hex)
                        .get();
        service.serveWrongBytes(hex, Files.readAllBytes(CAT));
        service.putReady("cat", UPPERCASE, new JsonObject());

        await().atMost(BOUND)
                .until(
                        () -> {
                            String error = moduleService(sidecar).getString("lastError");
                            return error != null
                                    && error.contains("not the expected sha256:" + hex);
                        });
        assertThat(service.moduleDownloads.get()).isGreaterThan(downloads);
        assertThat(post(sidecar, "cat", "\"x\"").bodyAsString()).isEqualTo("\"x\"");
        assertThat(modulesDir.resolve("sha256/" + hex + ".wasm")).doesNotExist();

        service.serveRightBytes(hex);

        await().atMost(BOUND)
                .until(() -> post(sidecar, "cat", "\"x\"").bodyAsString().equals("\"X\""));
        assertThat(modulesDir.resolve("sha256/" + hex + ".wasm")).exists();
    }

    @Test
    void shouldRefuseACertificateFromAnotherCa() throws Exception {
        service.putReady("cat", CAT, new JsonObject());
        TestCa other = TestCa.create("someone-else");
        InPodSidecar sidecar = started(sidecar("cat").withCaPem(other.caPem()));

        // (A first attempt may time out instead while the loaded machine warms TLS up.)
        await().atMost(BOUND)
                .until(
                        () ->
                                String.valueOf(moduleService(sidecar).getString("lastError"))
                                        .contains("TLS with 127.0.0.1"));

        assertThat(moduleService(sidecar).getString("state")).isEqualTo("RETRYING");
        assertThat(healthz(sidecar)).isEqualTo(500);
        assertThat(post(sidecar, "cat", "1").statusCode()).isEqualTo(500);
    }

    @Test
    void shouldRefuseToStartWithoutACa() {
        assertThatThrownBy(() -> sidecar("cat").withCaPem(null).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(InPodSidecar.CA_ENV);
    }

    @Test
    void shouldReadTheRotatedTokenOnEveryRequest() throws Exception {
        service.putReady("cat", CAT, new JsonObject());
        InPodSidecar sidecar = started(sidecar("cat"));
        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);

        service.rotateToken("token-2");
        service.putReady("cat", UPPERCASE, new JsonObject());
        await().atMost(BOUND)
                .until(
                        () ->
                                String.valueOf(moduleService(sidecar).getString("lastError"))
                                        .contains("401"));
        Files.writeString(tokenFile, "token-2\n");

        // The new module is served as soon as it is swapped in; the state turns IN_SYNC just
        // after, so wait for both rather than reading the state once.
        await().atMost(BOUND)
                .until(
                        () ->
                                post(sidecar, "cat", "\"x\"").bodyAsString().equals("\"X\"")
                                        && "IN_SYNC"
                                                .equals(moduleService(sidecar).getString("state")));
    }

    @Test
    void shouldServeAllBindingsOfTheNamespaceWhenNoneAreNamed() throws Exception {
        service.putReady("cat", CAT, new JsonObject());
        service.putReady("upper", UPPERCASE, new JsonObject());
        InPodSidecar sidecar = started(sidecar());

        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);

        assertThat(post(sidecar, "upper", "\"a\"").bodyAsString()).isEqualTo("\"A\"");
        assertThat(post(sidecar, "cat", "\"a\"").bodyAsString()).isEqualTo("\"a\"");
    }

    @Test
    void shouldKeepTheApiOnLoopbackAndServeHealthAndMetricsOnThePodAddress() throws Exception {
        Optional<InetAddress> podAddress = nonLoopbackAddress();
        assumeTrue(podAddress.isPresent(), "this machine has no non-loopback IPv4 address");
        String pod = podAddress.get().getHostAddress();
        service.putReady("cat", CAT, new JsonObject());
        InPodSidecar sidecar = started(sidecar("cat"));
        await().atMost(BOUND).until(() -> healthz(sidecar) == 204);
        // Ready comes when the bindings are applied; the sync counts as up a moment later, once
        // it has recorded the view (a loaded machine could read the metrics in between).
        await().atMost(BOUND)
                .until(
                        () ->
                                get(pod, sidecar.healthPort(), "/metrics")
                                        .bodyAsString()
                                        .contains("wasmbind_module_service_up 1.0"));

        assertThat(get(pod, sidecar.healthPort(), "/v1.0/healthz").statusCode()).isEqualTo(204);
        assertThat(get(pod, sidecar.healthPort(), "/v1.0/healthz/outbound").statusCode())
                .isEqualTo(204);
        assertThat(get(pod, sidecar.healthPort(), "/metrics").bodyAsString())
                .contains("wasmbind_module_service_up 1.0")
                .contains("wasmbind_sidecar_ready 1.0");
        assertThat(get(pod, sidecar.healthPort(), "/v1.0/metadata").statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> get(pod, sidecar.port(), "/v1.0/healthz"))
                .hasRootCauseInstanceOf(java.net.ConnectException.class);
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        return NetworkInterface.networkInterfaces()
                .filter(
                        nic -> {
                            try {
                                return nic.isUp() && !nic.isLoopback();
                            } catch (java.net.SocketException e) {
                                return false;
                            }
                        })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(Inet4Address.class::isInstance)
                .findFirst();
    }
}
