package dev.wasmbind.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChartTest {

    private static final String OPERATOR = "wasmbind-operator";
    private static final String INJECTOR = "wasmbind-injector";
    private static final String CERT_MANAGER = "certManager";

    @Test
    void shouldLintWithoutWarnings() {
        LintResult lint = new Helm(RenderedChart.chartDir()).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void shouldRenderTheWebhookWithSafeDefaults() {
        MutatingWebhook webhook = webhook(RenderedChart.withDefaults());

        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
        assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(webhook.getSideEffects()).isEqualTo("None");
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo(INJECTOR);
        assertThat(webhook.getClientConfig().getService().getNamespace())
                .isEqualTo(RenderedChart.NAMESPACE);
        assertThat(webhook.getRules())
                .singleElement()
                .satisfies(
                        rule -> {
                            assertThat(rule.getResources()).containsExactly("pods");
                            assertThat(rule.getOperations()).containsExactly("CREATE");
                        });
    }

    @Test
    void shouldKeepSystemAndReleaseNamespacesAndOptedOutPodsAway() {
        MutatingWebhook webhook = webhook(RenderedChart.withDefaults());

        assertThat(webhook.getNamespaceSelector().getMatchExpressions())
                .anySatisfy(
                        e -> {
                            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
                            assertThat(e.getOperator()).isEqualTo("NotIn");
                            assertThat(e.getValues())
                                    .containsExactlyInAnyOrder(
                                            "kube-system", RenderedChart.NAMESPACE);
                        });
        assertThat(webhook.getObjectSelector().getMatchExpressions())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getKey()).isEqualTo("wasmbind.dev/injection");
                            assertThat(e.getOperator()).isEqualTo("NotIn");
                            assertThat(e.getValues()).containsExactly("disabled");
                        });
    }

    @Test
    void shouldExcludeExtraNamespacesFromAValuesFile(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(
                values,
                "injector:\n"
                        + "  failurePolicy: Fail\n"
                        + "  excludedNamespaces: [monitoring, kube-system]\n");

        MutatingWebhook webhook = webhook(RenderedChart.withValuesFile(values));

        assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
        assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
                .containsExactlyInAnyOrder("kube-system", RenderedChart.NAMESPACE, "monitoring");
    }

    @Test
    void shouldKeepOneInjectorThroughDrainsWhenThereAreSeveral() {
        assertThat(RenderedChart.withDefaults().ofKind("PodDisruptionBudget")).isEmpty();

        JsonNode budget =
                RenderedChart.with(Map.of("injector.replicas", "2"))
                        .get("PodDisruptionBudget", INJECTOR);

        assertThat(budget.at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertThat(budget.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText())
                .isEqualTo("injector");
    }

    @Test
    void shouldLetTheInjectorManageItsOwnCaByDefault() {
        RenderedChart chart = RenderedChart.withDefaults();
        MutatingWebhookConfiguration config =
                chart.get(
                        "MutatingWebhookConfiguration",
                        INJECTOR,
                        MutatingWebhookConfiguration.class);

        // No caBundle from the chart: the injector patches it and Helm keeps it on upgrade.
        assertThat(config.getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();
        assertThat(config.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(chart.ofKind("Certificate")).isEmpty();
        assertThat(args(injector(chart)))
                .contains(
                        "--self-managed-tls",
                        "--tls-secret=" + INJECTOR + "-tls",
                        "--service-name=" + INJECTOR,
                        "--webhook-configuration=" + INJECTOR);
        // ... and it may touch its own Secret and its own webhook configuration only.
        Role tls = chart.get("Role", INJECTOR + "-tls", Role.class);
        assertThat(tls.getRules())
                .anySatisfy(
                        rule -> {
                            assertThat(rule.getResources()).containsExactly("secrets");
                            assertThat(rule.getResourceNames()).containsExactly(INJECTOR + "-tls");
                            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "update");
                        });
        ClusterRole webhookRole =
                chart.get("ClusterRole", INJECTOR + "-cabundle", ClusterRole.class);
        assertThat(webhookRole.getRules())
                .singleElement()
                .satisfies(
                        rule -> {
                            assertThat(rule.getResources())
                                    .containsExactly("mutatingwebhookconfigurations");
                            assertThat(rule.getResourceNames()).containsExactly(INJECTOR);
                            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "patch");
                        });
    }

    @Test
    void shouldLetCertManagerIssueTheCertificateWhenAsked() {
        RenderedChart chart = RenderedChart.with(Map.of("injector.tls.mode", CERT_MANAGER));

        JsonNode config = chart.get("MutatingWebhookConfiguration", INJECTOR);
        assertThat(config.at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText())
                .isEqualTo(RenderedChart.NAMESPACE + "/" + INJECTOR);
        JsonNode certificate = chart.get("Certificate", INJECTOR);
        assertThat(certificate.at("/spec/secretName").asText()).isEqualTo(INJECTOR + "-tls");
        assertThat(certificate.at("/spec/dnsNames").toString())
                .contains(INJECTOR + "." + RenderedChart.NAMESPACE + ".svc");
        assertThat(certificate.at("/spec/issuerRef/name").asText())
                .isEqualTo(INJECTOR + "-selfsigned");
        assertThat(chart.has("Issuer", INJECTOR + "-selfsigned")).isTrue();
        // cert-manager owns the Secret: no RBAC for the injector to write it.
        assertThat(chart.ofKind("Role")).noneMatch(r -> r.toString().contains("secrets"));
        Deployment injector = injector(chart);
        assertThat(args(injector))
                .contains(
                        "--tls-cert=/var/run/wasmbind/tls/tls.crt",
                        "--tls-key=/var/run/wasmbind/tls/tls.key")
                .doesNotContain("--self-managed-tls");
        assertThat(injector.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .anySatisfy(
                        v ->
                                assertThat(v.getSecret().getSecretName())
                                        .isEqualTo(INJECTOR + "-tls"));
    }

    @Test
    void shouldUseAGivenIssuerInsteadOfCreatingOne() {
        RenderedChart chart =
                RenderedChart.with(
                        Map.of(
                                "injector.tls.mode", CERT_MANAGER,
                                "injector.tls.certManager.issuerRef.name", "corp-ca",
                                "injector.tls.certManager.issuerRef.kind", "ClusterIssuer"));

        JsonNode certificate = chart.get("Certificate", INJECTOR);
        assertThat(certificate.at("/spec/issuerRef/name").asText()).isEqualTo("corp-ca");
        assertThat(certificate.at("/spec/issuerRef/kind").asText()).isEqualTo("ClusterIssuer");
        assertThat(chart.ofKind("Issuer")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "injector.tls.mode, manual, /injector/tls/mode",
        "injector.failurePolicy, Sometimes, /injector/failurePolicy",
        "injector.timeoutSeconds, 60, /injector/timeoutSeconds",
        "injector.nativeSidecar, maybe, /injector/nativeSidecar",
        "operator.logLevel, loud, /operator/logLevel"
    })
    void shouldRefuseInvalidValuesNamingTheValue(String key, String value, String where) {
        assertThatThrownBy(() -> RenderedChart.with(Map.of(key, value)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("values don't meet the specifications")
                .hasMessageContaining(where);
    }

    @ParameterizedTest
    @ValueSource(strings = {"selfManaged", CERT_MANAGER})
    void shouldHardenEveryPod(String tlsMode) {
        RenderedChart chart = RenderedChart.with(Map.of("injector.tls.mode", tlsMode));

        assertThat(chart.ofKind("Deployment")).hasSize(2);
        for (JsonNode node : chart.ofKind("Deployment")) {
            String name = node.at("/metadata/name").asText();
            PodSpec pod =
                    chart.get("Deployment", name, Deployment.class)
                            .getSpec()
                            .getTemplate()
                            .getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType())
                    .as(name)
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).as(name).isNotEqualTo(Boolean.FALSE);
            for (Container container : pod.getContainers()) {
                String where = name + "/" + container.getName();
                assertThat(container.getSecurityContext().getAllowPrivilegeEscalation())
                        .as(where)
                        .isFalse();
                assertThat(container.getSecurityContext().getReadOnlyRootFilesystem())
                        .as(where)
                        .isTrue();
                assertThat(container.getSecurityContext().getCapabilities().getDrop())
                        .as(where)
                        .containsExactly("ALL");
                assertThat(container.getResources().getRequests())
                        .as(where)
                        .containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(where).containsKey("memory");
                assertThat(container.getLivenessProbe()).as(where).isNotNull();
                assertThat(container.getReadinessProbe()).as(where).isNotNull();
            }
        }
    }

    @Test
    void shouldTagImagesWithTheAppVersionByDefault() {
        RenderedChart chart = RenderedChart.withDefaults();

        assertThat(image(operator(chart))).isEqualTo("wasmbind/wasmbind-operator:0.1.0-SNAPSHOT");
        assertThat(image(injector(chart))).isEqualTo("wasmbind/wasmbind-injector:0.1.0-SNAPSHOT");
        assertThat(args(injector(chart)))
                .contains("--sidecar-image=wasmbind/wasmbind-sidecar:0.1.0-SNAPSHOT");
    }

    @Test
    void shouldHonourRepositoryTagAndFullImageOverrides() {
        RenderedChart chart =
                RenderedChart.with(
                        Map.of(
                                "image.repository", "registry.example/team",
                                "image.tag", "1.2.3",
                                "sidecar.image", "registry.example/custom/sidecar@sha256:abc"));

        assertThat(image(operator(chart)))
                .isEqualTo("registry.example/team/wasmbind-operator:1.2.3");
        assertThat(image(injector(chart)))
                .isEqualTo("registry.example/team/wasmbind-injector:1.2.3");
        assertThat(args(injector(chart)))
                .contains("--sidecar-image=registry.example/custom/sidecar@sha256:abc");
    }

    @Test
    void shouldPassSidecarDefaultsToTheInjector() {
        RenderedChart chart =
                RenderedChart.with(
                        Map.of(
                                "sidecar.resources.limits.cpu", "1",
                                "sidecar.logLevel", "debug"));

        assertThat(args(injector(chart)))
                .contains(
                        "--sidecar-cpu-request=100m",
                        "--sidecar-memory-limit=512Mi",
                        "--sidecar-cpu-limit=1",
                        "--sidecar-log-level=debug");
    }

    @Test
    void shouldInjectNativeSidecarsOnlyWhereTheClusterHasThem() {
        assertThat(args(injector(RenderedChart.forKubeVersion("1.28.0", Map.of()))))
                .doesNotContain("--native-sidecar");
        assertThat(args(injector(RenderedChart.forKubeVersion("1.31.4", Map.of()))))
                .contains("--native-sidecar");
        assertThat(
                        args(
                                injector(
                                        RenderedChart.forKubeVersion(
                                                "1.31.4",
                                                Map.of("injector.nativeSidecar", "false")))))
                .doesNotContain("--native-sidecar");
    }

    @Test
    void shouldProbeTheInjectorOverHttps() {
        Container injector = mainContainer(injector(RenderedChart.withDefaults()));

        assertThat(injector.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(injector.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(injector.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    }

    @Test
    void shouldGrantTheOperatorWhatItNeedsAndNoMore() {
        RenderedChart chart = RenderedChart.withDefaults();
        List<PolicyRule> rules = chart.get("ClusterRole", OPERATOR, ClusterRole.class).getRules();

        assertThat(verbs(rules, "wasmbind.dev", "wasmbindings"))
                .containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(rules, "wasmbind.dev", "wasmbindings/status")).contains("patch");
        assertThat(verbs(rules, "", "events")).contains("create");
        assertThat(verbs(rules, "", "secrets"))
                .contains("get")
                .doesNotContain("create", "update", "delete");
        assertThat(verbs(rules, "authentication.k8s.io", "tokenreviews")).containsExactly("create");
        assertThat(rules)
                .noneMatch(
                        rule -> rule.getVerbs().contains("*") || rule.getResources().contains("*"));
        Role leases = chart.get("Role", OPERATOR + "-leader-election", Role.class);
        assertThat(verbs(leases.getRules(), "coordination.k8s.io", "leases"))
                .contains("get", "create", "update");
    }

    @Test
    void shouldPassTheFetchPolicyToTheOperator(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(
                values,
                "operator:\n"
                        + "  watchNamespaces: [team-a, team-b]\n"
                        + "  fetch:\n"
                        + "    denyCidrs: [10.0.0.0/8]\n"
                        + "    allowHosts: [registry.internal]\n"
                        + "    insecureRegistries: [\"registry.internal:5000\"]\n"
                        + "  extraArgs: [--gc-grace=2h]\n");

        List<String> args = args(operator(RenderedChart.withValuesFile(values)));

        assertThat(args)
                .contains(
                        "--namespaces=team-a,team-b",
                        "--deny-cidrs=10.0.0.0/8",
                        "--allow-hosts=registry.internal",
                        "--insecure-registries=registry.internal:5000",
                        "--max-module-size=64Mi",
                        "--leader-election",
                        "--lease-name=" + OPERATOR,
                        "--gc-grace=2h")
                .noneMatch(arg -> arg.startsWith("--allow-cidrs"));
    }

    @Test
    void shouldSetJvmOptionsWhereGiven() {
        RenderedChart chart =
                RenderedChart.with(Map.of("injector.javaOptions", "-XX:+UseSerialGC"));

        assertThat(mainContainer(operator(chart)).getEnv())
                .anySatisfy(
                        env -> {
                            assertThat(env.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                            assertThat(env.getValue()).contains("-Xmx128m");
                        });
        assertThat(mainContainer(injector(chart)).getEnv())
                .anySatisfy(
                        env -> {
                            assertThat(env.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                            assertThat(env.getValue()).isEqualTo("-XX:+UseSerialGC");
                        });
        assertThat(mainContainer(injector(RenderedChart.withDefaults())).getEnv())
                .noneMatch(env -> env.getName().equals("JAVA_TOOL_OPTIONS"));
    }

    @Test
    void shouldDropLeaderElectionWhenDisabled() {
        RenderedChart chart = RenderedChart.with(Map.of("operator.leaderElection", "false"));

        assertThat(chart.has("Role", OPERATOR + "-leader-election")).isFalse();
        assertThat(args(operator(chart)))
                .contains("--no-leader-election")
                .doesNotContain("--leader-election");
    }

    @Test
    void shouldInstallTheWasmBindingCrd() throws IOException {
        Path crds = RenderedChart.chartDir().resolve("crds");
        // The operator's branch commits the generated CRD there (its CrdDriftTest keeps it equal).
        assumeTrue(
                Files.isDirectory(crds) && !isEmpty(crds),
                "helm/wasmbind/crds/ is empty until the operator's generated CRD is merged");

        JsonNode crd =
                RenderedChart.crds().get("CustomResourceDefinition", "wasmbindings.wasmbind.dev");

        assertThat(crd.at("/spec/group").asText()).isEqualTo("wasmbind.dev");
        assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
        assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
        assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    private static MutatingWebhook webhook(RenderedChart chart) {
        return chart.get(
                        "MutatingWebhookConfiguration",
                        INJECTOR,
                        MutatingWebhookConfiguration.class)
                .getWebhooks()
                .get(0);
    }

    private static Deployment operator(RenderedChart chart) {
        return chart.get("Deployment", OPERATOR, Deployment.class);
    }

    private static Deployment injector(RenderedChart chart) {
        return chart.get("Deployment", INJECTOR, Deployment.class);
    }

    private static Container mainContainer(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String image(Deployment deployment) {
        return mainContainer(deployment).getImage();
    }

    private static List<String> args(Deployment deployment) {
        return mainContainer(deployment).getArgs();
    }

    private static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
        return rules.stream()
                .filter(
                        r ->
                                r.getApiGroups().contains(group)
                                        && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream())
                .distinct()
                .toList();
    }
}
