package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingCondition;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.operator.OperatorSettings;
import dev.wasmbind.operator.WasmBindOperator;
import dev.wasmbind.operator.guard.NetworkGuard;
import dev.wasmbind.operator.testing.ModuleServer;
import dev.wasmbind.operator.testing.TestModules;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconcile paths end to end: JOSDK against fabric8's mock API server (CRUD mode), modules
 * served by a real HTTP server on 127.0.0.1, the real cache on disk.
 */
@EnableKubernetesMockClient(crud = true)
class WasmBindingReconcilerIT {

    static KubernetesClient client;

    private static final String NS = "apps";
    private static final long MAX_MODULE_BYTES = 16 * 1024;
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static ModuleServer server;
    private static WasmBindOperator operator;
    private static Path cacheDir;

    @BeforeAll
    static void startOperator() throws Exception {
        server = ModuleServer.start();
        cacheDir = Files.createTempDirectory("wasmbind-cache");
        client.namespaces()
                .resource(
                        new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        operator =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withSettings(
                                OperatorSettings.defaults()
                                        .withCacheDir(cacheDir)
                                        // The test server is on loopback: allowed by address, as a
                                        // user would
                                        // allow an in-cluster registry; "localhost" stays refused
                                        // by default.
                                        .withGuard(
                                                NetworkGuard.builder()
                                                        .allowCidrs(
                                                                List.of(
                                                                        dev.wasmbind.operator.guard
                                                                                .Cidr.parse(
                                                                                "127.0.0.1/32")))
                                                        // DNS as an attacker would set it up: a
                                                        // harmless
                                                        // looking name that points at the node's
                                                        // loopback.
                                                        .withResolver(
                                                                host ->
                                                                        host.equals(
                                                                                        "innocent.example")
                                                                                ? new InetAddress
                                                                                        [] {
                                                                                    InetAddress
                                                                                            .getByName(
                                                                                                    "127.0.0.53")
                                                                                }
                                                                                : InetAddress
                                                                                        .getAllByName(
                                                                                                host))
                                                        .build())
                                        .withServerSideApply(false)
                                        .withMaxModuleBytes(MAX_MODULE_BYTES)
                                        // Long enough for a busy machine, short enough for the
                                        // timeout case.
                                        .withFetchTimeout(Duration.ofSeconds(3))
                                        .withRetryInitial(Duration.ofMillis(200))
                                        .withRetryMax(Duration.ofSeconds(1))
                                        .withMinRefreshInterval(Duration.ofMillis(100))
                                        .withGcGrace(Duration.ZERO)
                                        .withGcInterval(Duration.ofHours(1)))
                        .build()
                        .start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldFetchValidateStoreAndReportReady() throws Exception {
        byte[] module = TestModules.command("ready");
        String sha = Digests.sha256Hex(module);
        server.serve("/ready.wasm", module);

        WasmBinding binding = create(spec -> spec.setUrl(server.url("/ready.wasm")));
        WasmBindingStatus status = awaitPhase(binding, Phase.Ready);

        assertThat(status.getDigest()).isEqualTo("sha256:" + sha);
        assertThat(status.getShortDigest()).isEqualTo(sha.substring(0, 12));
        assertThat(status.getSize()).isEqualTo(module.length);
        assertThat(status.getAbi()).isEqualTo("wasip1-command");
        assertThat(status.getLastFetchTime()).isNotBlank();
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getMessage()).contains("serving sha256:" + sha);
        for (String type : List.of("Fetched", "Validated", "Ready")) {
            WasmBindingCondition condition = status.condition(type).orElseThrow();
            assertThat(condition.getStatus()).as(type).isEqualTo("True");
            assertThat(condition.getObservedGeneration()).isEqualTo(1L);
            assertThat(condition.getLastTransitionTime()).isNotBlank();
        }
        assertThat(operator.cache().read(sha))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(module));
        assertThat(events(binding))
                .anySatisfy(
                        e -> {
                            assertThat(e.getType()).isEqualTo("Normal");
                            assertThat(e.getReason()).isEqualTo("Fetched");
                            assertThat(e.getMessage()).contains(sha);
                        });
    }

    @Test
    void shouldFetchAgainWhenTheSpecChanges() {
        byte[] first = TestModules.command("update-1");
        byte[] second = TestModules.command("update-2");
        server.serve("/update-1.wasm", first).serve("/update-2.wasm", second);
        WasmBinding binding = create(spec -> spec.setUrl(server.url("/update-1.wasm")));
        awaitPhase(binding, Phase.Ready);

        client.resources(WasmBinding.class)
                .inNamespace(NS)
                .withName(binding.getMetadata().getName())
                .edit(
                        b -> {
                            b.getSpec().setUrl(server.url("/update-2.wasm"));
                            return b;
                        });

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                assertThat(current(binding).getStatus().getDigest())
                                        .isEqualTo("sha256:" + Digests.sha256Hex(second)));
        WasmBindingStatus status = current(binding).getStatus();
        assertThat(status.getObservedGeneration())
                .isEqualTo(current(binding).getMetadata().getGeneration());
        assertThat(status.condition("Ready").orElseThrow().getObservedGeneration())
                .isEqualTo(status.getObservedGeneration());
    }

    @Test
    void shouldRefuseFileUrlsUnlessAllowed() {
        WasmBinding binding = create(spec -> spec.setUrl("file:///etc/passwd"));

        WasmBindingStatus status = awaitPhase(binding, Phase.Failed);

        assertThat(status.getMessage()).contains("--allow-file-urls");
        assertThat(status.condition("Ready").orElseThrow().getReason()).isEqualTo("InvalidSpec");
        assertThat(status.getDigest()).isNull();
        assertThat(warnings(binding)).contains("InvalidSpec");
    }

    @Test
    void shouldRecoverWhenAFailingSourceIsRepaired() {
        byte[] module = TestModules.command("recover");
        server.serve("/recover.wasm", module).fail("/recover.wasm", 503);
        WasmBinding binding = create(spec -> spec.setUrl(server.url("/recover.wasm")));

        WasmBindingStatus failed = awaitPhase(binding, Phase.Failed);
        assertThat(failed.getMessage()).contains("503");
        assertThat(failed.condition("Fetched").orElseThrow().getReason()).isEqualTo("BadResponse");
        assertThat(warnings(binding)).contains("FetchFailed");

        server.serve("/recover.wasm", module);

        WasmBindingStatus ready = awaitPhase(binding, Phase.Ready);
        assertThat(ready.getDigest()).isEqualTo("sha256:" + Digests.sha256Hex(module));
        assertThat(ready.condition("Fetched").orElseThrow().getStatus()).isEqualTo("True");
    }

    @Test
    void shouldRefreshAndKeepTheLastGoodDigestWhenARefreshFails() {
        byte[] v1 = TestModules.command("refresh-1");
        byte[] v2 = TestModules.command("refresh-2");
        server.serve("/refresh.wasm", v1);
        WasmBinding binding =
                create(
                        spec -> {
                            spec.setUrl(server.url("/refresh.wasm"));
                            spec.setRefreshInterval("300ms");
                        });
        awaitPhase(binding, Phase.Ready);

        server.serve("/refresh.wasm", v2);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                assertThat(current(binding).getStatus().getDigest())
                                        .isEqualTo("sha256:" + Digests.sha256Hex(v2)));
        String readySince =
                current(binding)
                        .getStatus()
                        .condition("Ready")
                        .orElseThrow()
                        .getLastTransitionTime();

        server.fail("/refresh.wasm", 404);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                assertThat(
                                                current(binding)
                                                        .getStatus()
                                                        .condition("Fetched")
                                                        .orElseThrow()
                                                        .getStatus())
                                        .isEqualTo("False"));

        WasmBindingStatus status = current(binding).getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Ready);
        assertThat(status.getDigest()).isEqualTo("sha256:" + Digests.sha256Hex(v2));
        assertThat(status.getMessage()).contains("refresh failed").contains("still serving");
        WasmBindingCondition ready = status.condition("Ready").orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("ServingLastGood");
        assertThat(ready.getLastTransitionTime()).isEqualTo(readySince);
        assertThat(status.condition("Fetched").orElseThrow().getReason()).isEqualTo("NotFound");
    }

    @Test
    void shouldGarbageCollectModulesNoBindingReferences() throws Exception {
        byte[] kept = TestModules.command("gc-kept");
        byte[] dropped = TestModules.command("gc-dropped");
        server.serve("/gc-kept.wasm", kept).serve("/gc-dropped.wasm", dropped);
        WasmBinding keep = create(spec -> spec.setUrl(server.url("/gc-kept.wasm")));
        WasmBinding drop = create(spec -> spec.setUrl(server.url("/gc-dropped.wasm")));
        awaitPhase(keep, Phase.Ready);
        awaitPhase(drop, Phase.Ready);
        assertThat(operator.cache().contains(Digests.sha256Hex(dropped))).isTrue();

        client.resources(WasmBinding.class)
                .inNamespace(NS)
                .withName(drop.getMetadata().getName())
                .delete();
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                client.resources(WasmBinding.class)
                                                .inNamespace(NS)
                                                .withName(drop.getMetadata().getName())
                                                .get()
                                        == null);
        operator.collectGarbage();

        assertThat(operator.cache().contains(Digests.sha256Hex(dropped))).isFalse();
        assertThat(operator.cache().contains(Digests.sha256Hex(kept))).isTrue();
    }

    @Test
    void shouldUseBasicAuthFromThePullSecretAndSayWhenItIsWrongOrMissing() {
        byte[] module = TestModules.command("private");
        server.serve("/private.wasm", module).requireBasicAuth("/private.wasm", "reader", "pa55");
        secret("good-creds", "reader", "pa55");
        secret("bad-creds", "reader", "nope");

        WasmBinding good =
                create(
                        spec -> {
                            spec.setUrl(server.url("/private.wasm"));
                            spec.setPullSecret("good-creds");
                        });
        WasmBinding bad =
                create(
                        spec -> {
                            spec.setUrl(server.url("/private.wasm"));
                            spec.setPullSecret("bad-creds");
                        });
        WasmBinding missing =
                create(
                        spec -> {
                            spec.setUrl(server.url("/private.wasm"));
                            spec.setPullSecret("no-such-secret");
                        });

        assertThat(awaitPhase(good, Phase.Ready).getDigest())
                .isEqualTo("sha256:" + Digests.sha256Hex(module));
        WasmBindingStatus refused = awaitPhase(bad, Phase.Failed);
        assertThat(refused.getMessage()).contains("401").contains("spec.pullSecret");
        assertThat(refused.condition("Fetched").orElseThrow().getReason()).isEqualTo("AuthFailed");
        assertThat(awaitPhase(missing, Phase.Failed).getMessage())
                .contains("no-such-secret does not exist in namespace " + NS);
    }

    @Test
    void shouldNeverSendASecretThatIsNotMeantAsAPullSecret() {
        server.serve("/exfil.wasm", TestModules.command("exfil"));
        createSecret(
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("sa-token")
                        .endMetadata()
                        .withType("kubernetes.io/service-account-token")
                        .addToStringData("token", "eyJhbGciOi-not-for-you")
                        .build());
        createSecret(
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("unbound-basic")
                        .endMetadata()
                        .withType("kubernetes.io/basic-auth")
                        .addToStringData("username", "reader")
                        .addToStringData("password", "pa55")
                        .build());
        createSecret(
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("other-host-token")
                        .addToAnnotations(
                                PullSecrets.ALLOWED_HOSTS_ANNOTATION,
                                "modules.example, 127.0.0.1:1")
                        .endMetadata()
                        .withType("Opaque")
                        .addToStringData("token", "t0ken")
                        .build());

        WasmBinding saToken = withSecret("/exfil.wasm", "sa-token");
        WasmBinding unbound = withSecret("/exfil.wasm", "unbound-basic");
        WasmBinding otherHost = withSecret("/exfil.wasm", "other-host-token");

        WasmBindingStatus sa = awaitPhase(saToken, Phase.Failed);
        assertThat(sa.getMessage())
                .contains("kubernetes.io/service-account-token")
                .contains(PullSecrets.ALLOWED_HOSTS_ANNOTATION);
        assertThat(sa.condition("Fetched").orElseThrow().getReason()).isEqualTo("Refused");
        assertThat(awaitPhase(unbound, Phase.Failed).getMessage())
                .contains("does not say where it may be sent");
        assertThat(awaitPhase(otherHost, Phase.Failed).getMessage())
                .contains("may not be sent to 127.0.0.1:");
        assertThat(warnings(saToken)).contains("FetchFailed");
        // Refused before any request: the server never saw these credentials.
        assertThat(server.hits("/exfil.wasm")).isZero();
    }

    @Test
    void shouldFailAMalformedRedirectInsteadOfStayingInFetching() {
        server.redirect("/bad-redirect.wasm", "http://exa mple.com/%zz");

        WasmBinding binding = create(spec -> spec.setUrl(server.url("/bad-redirect.wasm")));

        WasmBindingStatus status = awaitPhase(binding, Phase.Failed);
        assertThat(status.getMessage()).contains("malformed Location");
        assertThat(status.condition("Fetched").orElseThrow().getReason()).isEqualTo("BadResponse");
        assertThat(warnings(binding)).contains("FetchFailed");
    }

    // --- the error matrix: every cause ends Failed with a message that names it ---

    @Test
    void shouldReportNotFound() {
        assertFailure("/missing.wasm", s -> {}, "NotFound", "404");
    }

    @Test
    void shouldReportATimeout() {
        server.serve("/slow.wasm", TestModules.command("slow")).delay("/slow.wasm", 10_000);
        assertFailure("/slow.wasm", s -> {}, "Timeout", "timed out");
    }

    @Test
    void shouldReportADigestMismatch() {
        server.serve("/pinned.wasm", TestModules.command("pinned"));
        assertFailure(
                "/pinned.wasm",
                s -> s.setSha256("a".repeat(64)),
                "DigestMismatch",
                "pins " + "a".repeat(64));
    }

    @Test
    void shouldReportAModuleOverTheSizeCap() {
        server.serve("/huge.wasm", new byte[(int) MAX_MODULE_BYTES + 1]);
        assertFailure(
                "/huge.wasm", s -> {}, "TooLarge", "more than the limit of " + MAX_MODULE_BYTES);
    }

    @Test
    void shouldReportContentThatIsNotWasm() {
        server.serve("/page.wasm", "<html>nope</html>".getBytes(StandardCharsets.UTF_8));
        WasmBindingStatus status =
                assertFailure("/page.wasm", s -> {}, "NotWasm", "not a WebAssembly module");
        assertThat(status.condition("Fetched").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(status.condition("Validated").orElseThrow().getStatus()).isEqualTo("False");
    }

    @Test
    void shouldReportAComponent() {
        server.serve("/component.wasm", TestModules.component());
        WasmBinding binding = create(spec -> spec.setUrl(server.url("/component.wasm")));
        WasmBindingStatus status = awaitPhase(binding, Phase.Failed);
        assertThat(status.getMessage()).contains("WASI preview 2 components are not supported yet");
        assertThat(status.condition("Validated").orElseThrow().getReason()).isEqualTo("Component");
        assertThat(warnings(binding)).contains("InvalidModule");
    }

    @Test
    void shouldNameUnknownImports() {
        server.serve("/imports.wasm", TestModules.importing("env", "host_magic"));
        assertFailure("/imports.wasm", s -> {}, "UnsupportedImport", "env.host_magic");
    }

    @Test
    void shouldReportAnAuthFailure() {
        server.serve("/locked.wasm", TestModules.command("locked"))
                .requireBasicAuth("/locked.wasm", "u", "p");
        assertFailure("/locked.wasm", s -> {}, "AuthFailed", "401");
    }

    @Test
    void shouldRefuseBlockedAddresses() {
        WasmBinding metadata =
                create(spec -> spec.setUrl("http://169.254.169.254/latest/meta-data/module.wasm"));
        WasmBinding loopbackByName = create(spec -> spec.setUrl("http://innocent.example/x.wasm"));

        assertThat(awaitPhase(metadata, Phase.Failed).getMessage()).contains("cloud metadata");
        WasmBindingStatus status = awaitPhase(loopbackByName, Phase.Failed);
        assertThat(status.getMessage()).contains("loopback").contains("--allow-hosts");
        assertThat(status.condition("Fetched").orElseThrow().getReason())
                .isEqualTo("BlockedAddress");
    }

    private WasmBindingStatus assertFailure(
            String path, Consumer<WasmBindingSpec> more, String reason, String messagePart) {
        WasmBinding binding =
                create(
                        spec -> {
                            spec.setUrl(server.url(path));
                            more.accept(spec);
                        });
        WasmBindingStatus status = awaitPhase(binding, Phase.Failed);
        assertThat(status.getMessage()).contains(messagePart);
        assertThat(status.condition("Ready").orElseThrow().getReason()).isEqualTo(reason);
        assertThat(status.condition("Ready").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(status.getDigest()).isNull();
        return status;
    }

    private static WasmBinding create(Consumer<WasmBindingSpec> spec) {
        WasmBindingSpec s = new WasmBindingSpec();
        spec.accept(s);
        WasmBinding binding = new WasmBinding("wb-" + NAMES.incrementAndGet(), s);
        binding.getMetadata().setNamespace(NS);
        return client.resource(binding).create();
    }

    private static WasmBinding withSecret(String path, String secret) {
        return create(
                spec -> {
                    spec.setUrl(server.url(path));
                    spec.setPullSecret(secret);
                });
    }

    private static void createSecret(io.fabric8.kubernetes.api.model.Secret secret) {
        client.secrets().inNamespace(NS).resource(secret).create();
    }

    private static void secret(String name, String user, String password) {
        client.secrets()
                .inNamespace(NS)
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .addToAnnotations(PullSecrets.ALLOWED_HOSTS_ANNOTATION, "127.0.0.1")
                                .endMetadata()
                                .withType("kubernetes.io/basic-auth")
                                .addToStringData("username", user)
                                .addToStringData("password", password)
                                .build())
                .create();
    }

    private static WasmBinding current(WasmBinding binding) {
        return client.resources(WasmBinding.class)
                .inNamespace(NS)
                .withName(binding.getMetadata().getName())
                .get();
    }

    private static WasmBindingStatus awaitPhase(WasmBinding binding, Phase phase) {
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> {
                            WasmBinding now = current(binding);
                            assertThat(now.getStatus()).isNotNull();
                            assertThat(now.getStatus().getPhase())
                                    .as(
                                            "phase of %s (message: %s)",
                                            now.getMetadata().getName(),
                                            now.getStatus().getMessage())
                                    .isEqualTo(phase);
                        });
        return current(binding).getStatus();
    }

    private static List<Event> events(WasmBinding binding) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(
                        e ->
                                e.getInvolvedObject()
                                        .getName()
                                        .equals(binding.getMetadata().getName()))
                .toList();
    }

    private static List<String> warnings(WasmBinding binding) {
        return events(binding).stream()
                .filter(e -> e.getType().equals("Warning"))
                .map(Event::getReason)
                .toList();
    }
}
