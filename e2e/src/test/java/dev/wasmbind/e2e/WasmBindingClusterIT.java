package dev.wasmbind.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * wasmbind on a real cluster: k3s in a container. Skipped (not failed) where no Docker engine runs;
 * the chart test is also skipped, with the reason, unless images are given (docs/e2e.md).
 */
@Testcontainers(disabledWithoutDocker = true)
class WasmBindingClusterIT {

    /** 1.29+ so that the injector can use a native sidecar (restartable init container). */
    private static final String K3S_IMAGE =
            System.getProperty("wasmbind.k3s.image", "rancher/k3s:v1.31.4-k3s1");

    private static final String RELEASE = "wasmbind";
    private static final String RELEASE_NAMESPACE = "wasmbind-system";
    private static final String CRD_NAMESPACE = "wasmbind-crd";
    private static final String APP_NAMESPACE = "wasmbind-e2e";
    private static final String OPTED_OUT_NAMESPACE = "wasmbind-e2e-opted-out";
    private static final String SIDECAR_CONTAINER = "wasmbind-sidecar";
    private static final int SIDECAR_PORT = 3500;
    private static final Duration SLOW = Duration.ofMinutes(5);

    // Started by hand (not @Container) so that the class is skipped before any image pull.
    private static K3sContainer k3s;
    private static KubernetesClient client;
    private static Path kubeconfig;
    private static boolean chartInstalled;
    private static final ProjectFiles FILES = ProjectFiles.ofBuild();

    @BeforeAll
    static void startCluster() throws IOException {
        k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE));
        k3s.start();
        String kubeconfigYaml = k3s.getKubeConfigYaml();
        kubeconfig = Files.createTempFile("wasmbind-e2e-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, kubeconfigYaml);
        client =
                new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(kubeconfigYaml))
                        .build();
        installCrd();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (client != null) client.close();
        if (k3s != null) k3s.stop();
        if (kubeconfig != null) Files.deleteIfExists(kubeconfig);
    }

    @Test
    void shouldAcceptTheExampleWasmBinding() {
        createNamespace(CRD_NAMESPACE);
        WasmBinding example =
                client.resources(WasmBinding.class)
                        .load(FILES.exampleBinding("hello").toFile())
                        .item();

        client.resources(WasmBinding.class).inNamespace(CRD_NAMESPACE).resource(example).create();

        WasmBinding stored =
                client.resources(WasmBinding.class)
                        .inNamespace(CRD_NAMESPACE)
                        .withName("hello")
                        .get();
        assertThat(stored.getSpec().getUrl()).isEqualTo("file://modules/hello.wasm");
        assertThat(stored.getSpec().getSha256()).isEqualTo(sha256(FILES.exampleModule("hello")));
    }

    @Test
    void shouldRefuseAWasmBindingWhoseUrlHasAnUnknownScheme() {
        createNamespace(CRD_NAMESPACE);
        WasmBinding bad = new WasmBinding("bad-scheme", new WasmBindingSpec("ftp://host/m.wasm"));

        assertThatThrownBy(
                        () ->
                                client.resources(WasmBinding.class)
                                        .inNamespace(CRD_NAMESPACE)
                                        .resource(bad)
                                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("spec.url");
    }

    @Test
    void shouldInjectOnlyAnnotatedPodsOutsideOptedOutNamespaces() {
        E2eImages images = chartInstalled();
        createNamespace(APP_NAMESPACE);
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(OPTED_OUT_NAMESPACE)
                                .addToLabels("wasmbind.dev/injection", "disabled")
                                .endMetadata()
                                .build())
                .createOr(NonDeletingOperation::update);

        Pod annotated = createPod(APP_NAMESPACE, "injected", images, true);
        Pod plain = createPod(APP_NAMESPACE, "plain", images, false);
        Pod optedOut = createPod(OPTED_OUT_NAMESPACE, "opted-out", images, true);

        // The admission response is in the created object: no need to wait for readiness.
        assertThat(containerNames(annotated)).contains(SIDECAR_CONTAINER);
        assertThat(annotated.getMetadata().getAnnotations()).containsKey("wasmbind.dev/injected");
        assertThat(containerNames(plain)).doesNotContain(SIDECAR_CONTAINER);
        assertThat(containerNames(optedOut)).doesNotContain(SIDECAR_CONTAINER);
    }

    /**
     * The whole path: the operator fetches and validates the module, the injected sidecar syncs it
     * from the operator's module service (on by default in the chart) and answers Dapr's docs
     * request. The same flow without a cluster: cluster-tests' ClusterInABoxIT.
     */
    @Test
    void shouldAnswerTheDaprDocsExampleThroughTheInjectedSidecar() throws Exception {
        E2eImages images = chartInstalled();
        createNamespace(APP_NAMESPACE);
        String moduleUrl = serveModuleInCluster("hello");
        WasmBindingSpec spec = new WasmBindingSpec(moduleUrl);
        spec.setSha256(sha256(FILES.exampleModule("hello")));
        client.resources(WasmBinding.class)
                .inNamespace(APP_NAMESPACE)
                .resource(new WasmBinding("hello", spec))
                .create();
        awaitReady("hello");

        Pod app = createPod(APP_NAMESPACE, "app", images, true);
        Pod ready =
                client.pods()
                        .inNamespace(APP_NAMESPACE)
                        .withName(app.getMetadata().getName())
                        .waitUntilReady(SLOW.toMinutes(), TimeUnit.MINUTES);
        HttpResponse<String> response = invokeThroughPortForward(ready);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Hello, \"salaboy\"");
    }

    /** Installs the chart once for the tests that need it; skips them when no images are given. */
    private static synchronized E2eImages chartInstalled() {
        E2eImages images = E2eImages.fromSystemProperties();
        assumeTrue(images.missingReason().isEmpty(), () -> images.missingReason().orElseThrow());
        if (!chartInstalled) {
            try {
                importArchives(images);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted importing images", e);
            }
            installChart(images);
            chartInstalled = true;
        }
        return images;
    }

    private static void installCrd() throws IOException {
        CustomResourceDefinition crd =
                client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .load(FILES.crd().toFile())
                        .item();
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .resource(crd)
                .createOr(NonDeletingOperation::update);
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .waitUntilCondition(
                        c ->
                                c != null
                                        && c.getStatus() != null
                                        && c.getStatus().getConditions().stream()
                                                .anyMatch(
                                                        cond ->
                                                                "Established".equals(cond.getType())
                                                                        && "True"
                                                                                .equals(
                                                                                        cond
                                                                                                .getStatus())),
                        1,
                        TimeUnit.MINUTES);
    }

    private static void createNamespace(String name) {
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .build())
                .createOr(NonDeletingOperation::update);
    }

    /** Loads image tarballs (e.g. from Jib's buildTar) into k3s's containerd. */
    private static void importArchives(E2eImages images) throws IOException, InterruptedException {
        for (Path archive : images.archives()) {
            String inContainer = "/tmp/" + archive.getFileName();
            k3s.copyFileToContainer(MountableFile.forHostPath(archive), inContainer);
            ExecResult result =
                    k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", inContainer);
            assertThat(result.getExitCode())
                    .as("importing %s: %s", archive, result.getStderr())
                    .isZero();
        }
    }

    private static void installChart(E2eImages images) {
        InstallCommand install =
                new Helm(FILES.chart())
                        .install()
                        .withName(RELEASE)
                        .withNamespace(RELEASE_NAMESPACE)
                        .createNamespace()
                        .withKubeConfig(kubeconfig)
                        .set("operator.image", images.operator())
                        .set("injector.image", images.injector())
                        .set("sidecar.image", images.sidecar())
                        .waitReady()
                        .withTimeout((int) SLOW.toSeconds());
        for (Map.Entry<String, String> extra : extraHelmValues().entrySet()) {
            install.set(extra.getKey(), extra.getValue());
        }
        install.call();
    }

    /** {@code -Dwasmbind.e2e.set=key=value,key=value} adds chart values, e.g. a pull policy. */
    private static Map<String, String> extraHelmValues() {
        String sets = System.getProperty("wasmbind.e2e.set", "");
        return Stream.of(sets.split(","))
                .map(String::trim)
                .filter(pair -> pair.contains("="))
                .collect(
                        Collectors.toMap(
                                pair -> pair.substring(0, pair.indexOf('=')),
                                pair -> pair.substring(pair.indexOf('=') + 1)));
    }

    /**
     * Serves an example module over HTTP from inside the cluster (busybox httpd over a ConfigMap),
     * since the k3s container cannot reach the test JVM reliably; returns its URL.
     */
    private static String serveModuleInCluster(String name) throws IOException {
        Map<String, String> labels = Map.of("app", "modules");
        client.configMaps()
                .inNamespace(APP_NAMESPACE)
                .resource(
                        new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("modules")
                                .endMetadata()
                                .addToBinaryData(
                                        name + ".wasm",
                                        Base64.getEncoder()
                                                .encodeToString(
                                                        Files.readAllBytes(
                                                                FILES.exampleModule(name))))
                                .build())
                .create();
        client.apps()
                .deployments()
                .inNamespace(APP_NAMESPACE)
                .resource(
                        new DeploymentBuilder()
                                .withNewMetadata()
                                .withName("modules")
                                .endMetadata()
                                .withNewSpec()
                                .withNewSelector()
                                .withMatchLabels(labels)
                                .endSelector()
                                .withNewTemplate()
                                .withNewMetadata()
                                .withLabels(labels)
                                .endMetadata()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("httpd")
                                .withImage(E2eImages.DEFAULT_APP_IMAGE)
                                .withCommand("httpd", "-f", "-p", "8080", "-h", "/www")
                                .addNewPort()
                                .withContainerPort(8080)
                                .endPort()
                                .addNewVolumeMount()
                                .withName("modules")
                                .withMountPath("/www")
                                .endVolumeMount()
                                .endContainer()
                                .addNewVolume()
                                .withName("modules")
                                .withNewConfigMap()
                                .withName("modules")
                                .endConfigMap()
                                .endVolume()
                                .endSpec()
                                .endTemplate()
                                .endSpec()
                                .build())
                .create();
        client.services()
                .inNamespace(APP_NAMESPACE)
                .resource(
                        new ServiceBuilder()
                                .withNewMetadata()
                                .withName("modules")
                                .endMetadata()
                                .withNewSpec()
                                .withSelector(labels)
                                .addNewPort()
                                .withPort(8080)
                                .endPort()
                                .endSpec()
                                .build())
                .create();
        client.apps()
                .deployments()
                .inNamespace(APP_NAMESPACE)
                .withName("modules")
                .waitUntilReady(SLOW.toMinutes(), TimeUnit.MINUTES);
        return "http://modules." + APP_NAMESPACE + ".svc.cluster.local:8080/" + name + ".wasm";
    }

    private static void awaitReady(String binding) {
        await().atMost(SLOW)
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(
                        () -> {
                            WasmBinding current =
                                    client.resources(WasmBinding.class)
                                            .inNamespace(APP_NAMESPACE)
                                            .withName(binding)
                                            .get();
                            assertThat(current.getStatus())
                                    .as("status of WasmBinding %s", binding)
                                    .isNotNull();
                            assertThat(current.getStatus().getPhase())
                                    .as("phase (message: %s)", current.getStatus().getMessage())
                                    .isEqualTo(Phase.Ready);
                        });
    }

    private static Pod createPod(String namespace, String name, E2eImages images, boolean inject) {
        PodBuilder pod =
                new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("app")
                        .withImage(images.app())
                        .withCommand("sleep", "3600")
                        .endContainer()
                        .endSpec();
        if (inject) {
            pod.editMetadata()
                    .addToAnnotations("wasmbind.dev/inject", "true")
                    .addToAnnotations("wasmbind.dev/bindings", "hello")
                    .endMetadata();
        }
        return client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    private static List<String> containerNames(Pod pod) {
        return Stream.concat(
                        pod.getSpec().getInitContainers().stream(),
                        pod.getSpec().getContainers().stream())
                .map(Container::getName)
                .toList();
    }

    /**
     * Calls the sidecar the way the app would, through a port-forward bound to 127.0.0.1. The
     * sidecar's API listens on the pod's loopback only; a port-forward reaches it because the
     * container runtime dials 127.0.0.1 inside the pod's network namespace (kubernetes/kubernetes
     * issue 72488: port-forward assumes a listener on 127.0.0.1), not the pod IP.
     */
    private static HttpResponse<String> invokeThroughPortForward(Pod pod)
            throws IOException, InterruptedException {
        try (LocalPortForward forward =
                client.pods()
                        .inNamespace(APP_NAMESPACE)
                        .withName(pod.getMetadata().getName())
                        .portForward(SIDECAR_PORT, InetAddress.getLoopbackAddress(), 0)) {
            String body =
                    "{\"operation\":\"execute\",\"metadata\":{\"args\":\"-ne,'print \\\"Hello,"
                            + " \\\"; print'\"},\"data\":\"salaboy\"}";
            HttpRequest request =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            "http://127.0.0.1:"
                                                    + forward.getLocalPort()
                                                    + "/v1.0/bindings/hello"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash " + file, e);
        }
    }
}
