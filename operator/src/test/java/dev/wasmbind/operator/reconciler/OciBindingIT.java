package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.testing.LocalRegistry;
import dev.wasmbind.module.testing.OciPush;
import dev.wasmbind.operator.OperatorSettings;
import dev.wasmbind.operator.WasmBindOperator;
import dev.wasmbind.operator.guard.Cidr;
import dev.wasmbind.operator.guard.NetworkGuard;
import dev.wasmbind.operator.testing.TestModules;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import land.oras.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * oci:// bindings through the operator: a real registry (Debian's docker-registry on 127.0.0.1,
 * htpasswd auth) and a kubernetes.io/dockerconfigjson pull secret in the mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class OciBindingIT {

    static KubernetesClient client;

    private static final String NS = "oci";
    private static LocalRegistry registry;
    private static WasmBindOperator operator;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.startWithAuth("puller", "s3cret");
        client.namespaces()
                .resource(
                        new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        String auth =
                Base64.getEncoder()
                        .encodeToString("puller:s3cret".getBytes(StandardCharsets.UTF_8));
        client.secrets()
                .inNamespace(NS)
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("registry-creds")
                                .endMetadata()
                                .withType("kubernetes.io/dockerconfigjson")
                                .addToStringData(
                                        ".dockerconfigjson",
                                        "{\"auths\":{\""
                                                + registry.hostPort()
                                                + "\":{\"auth\":\""
                                                + auth
                                                + "\"}}}")
                                .build())
                .create();
        operator =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withSettings(
                                OperatorSettings.defaults()
                                        .withCacheDir(
                                                Files.createTempDirectory("wasmbind-oci-cache"))
                                        .withGuard(
                                                NetworkGuard.builder()
                                                        .allowCidrs(
                                                                List.of(Cidr.parse("127.0.0.1/32")))
                                                        .build())
                                        .withInsecureRegistries(Set.of(registry.hostPort()))
                                        .withServerSideApply(false)
                                        .withRetryInitial(Duration.ofMillis(200))
                                        .withRetryMax(Duration.ofSeconds(1)))
                        .build()
                        .start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void shouldServeAWasmArtifactByTagAndByDigestWithTheDockerConfigSecret() {
        byte[] module = TestModules.command("oci-hello");
        Manifest manifest =
                OciPush.to(registry, "puller", "s3cret").cncfWasm("wasm/hello:v1", module);

        WasmBindingStatus byTag =
                awaitPhase(
                        create(
                                "by-tag",
                                "oci://" + registry.hostPort() + "/wasm/hello:v1",
                                "registry-creds"),
                        Phase.Ready);
        WasmBindingStatus byDigest =
                awaitPhase(
                        create(
                                "by-digest",
                                "oci://"
                                        + registry.hostPort()
                                        + "/wasm/hello@"
                                        + manifest.getDigest(),
                                "registry-creds"),
                        Phase.Ready);

        String digest = "sha256:" + Digests.sha256Hex(module);
        assertThat(byTag.getDigest()).isEqualTo(digest);
        assertThat(byDigest.getDigest()).isEqualTo(digest);
        assertThat(byTag.condition("Fetched").orElseThrow().getMessage())
                .contains("wasm/hello@" + manifest.getDigest());
    }

    @Test
    void shouldFailWithAuthFailedWithoutCredentials() {
        OciPush.to(registry, "puller", "s3cret")
                .cncfWasm("wasm/locked:v1", TestModules.command("oci-locked"));

        WasmBindingStatus status =
                awaitPhase(
                        create(
                                "no-creds",
                                "oci://" + registry.hostPort() + "/wasm/locked:v1",
                                null),
                        Phase.Failed);

        assertThat(status.condition("Fetched").orElseThrow().getReason()).isEqualTo("AuthFailed");
        assertThat(status.getMessage()).contains("spec.pullSecret");
    }

    @Test
    void shouldFailWithNotFoundForAMissingTag() {
        WasmBindingStatus status =
                awaitPhase(
                        create(
                                "missing",
                                "oci://" + registry.hostPort() + "/wasm/none:v0",
                                "registry-creds"),
                        Phase.Failed);

        assertThat(status.condition("Fetched").orElseThrow().getReason()).isEqualTo("NotFound");
    }

    private static WasmBinding create(String name, String url, String secret) {
        WasmBindingSpec spec = new WasmBindingSpec(url);
        spec.setPullSecret(secret);
        WasmBinding binding = new WasmBinding(name, spec);
        binding.getMetadata().setNamespace(NS);
        return client.resource(binding).create();
    }

    private static WasmBindingStatus awaitPhase(WasmBinding binding, Phase phase) {
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> {
                            WasmBinding now =
                                    client.resources(WasmBinding.class)
                                            .inNamespace(NS)
                                            .withName(binding.getMetadata().getName())
                                            .get();
                            assertThat(now.getStatus()).isNotNull();
                            assertThat(now.getStatus().getPhase())
                                    .as("phase (message: %s)", now.getStatus().getMessage())
                                    .isEqualTo(phase);
                        });
        return client.resources(WasmBinding.class)
                .inNamespace(NS)
                .withName(binding.getMetadata().getName())
                .get()
                .getStatus();
    }
}
