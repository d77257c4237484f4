package dev.wasmbind.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
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
    private static final String MODULE_SERVICE_TLS = "wasmbind-module-service-tls";

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
        // ... and it may touch its own Secrets (serving, and the CA's apart) and its own webhook
        // configuration only.
        Role tls = chart.get("Role", INJECTOR + "-tls", Role.class);
        assertThat(tls.getRules())
                .anySatisfy(
                        rule -> {
                            assertThat(rule.getResources()).containsExactly("secrets");
                            assertThat(rule.getResourceNames())
                                    .containsExactly(INJECTOR + "-tls", INJECTOR + "-tls-ca");
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
        "operator.logLevel, loud, /operator/logLevel",
        "operator.moduleService.tls.mode, selfManaged, /operator/moduleService/tls/mode",
        "operator.moduleService.port, 70000, /operator/moduleService/port",
        "operator.cache.maxSize, lots, /operator/cache/maxSize"
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
    void shouldPassTheSidecarServerLimitsEmptyByDefault() {
        assertThat(args(injector(RenderedChart.with(Map.of()))))
                .contains("--sidecar-idle-timeout=", "--sidecar-request-bytes-in-flight=");
        assertThat(
                        args(
                                injector(
                                        RenderedChart.with(
                                                Map.of(
                                                        "sidecar.serverLimits.idleTimeout", "2m",
                                                        "sidecar.serverLimits.requestBytesInFlight",
                                                                "64Mi")))))
                .contains(
                        "--sidecar-idle-timeout=2m",
                        "--sidecar-header-timeout=",
                        "--sidecar-request-bytes-in-flight=64Mi");
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
        assertThat(verbs(rules, "", "events")).containsExactly("create");
        // spec.pullSecret is read by name: no list or watch over every Secret of the cluster.
        assertThat(verbs(rules, "", "secrets")).containsExactly("get");
        assertThat(verbs(rules, "authentication.k8s.io", "tokenreviews")).containsExactly("create");
        assertThat(rules)
                .noneMatch(
                        rule -> rule.getVerbs().contains("*") || rule.getResources().contains("*"));
        Role leases = chart.get("Role", OPERATOR + "-leader-election", Role.class);
        assertThat(verbs(leases.getRules(), "coordination.k8s.io", "leases"))
                .contains("get", "create", "update");
    }

    @Test
    void shouldReadPullSecretsOnlyInTheWatchedNamespaces(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, "operator:\n  watchNamespaces: [team-a, team-b]\n");
        RenderedChart chart = RenderedChart.withValuesFile(values);

        assertThat(
                        verbs(
                                chart.get("ClusterRole", OPERATOR, ClusterRole.class).getRules(),
                                "",
                                "secrets"))
                .isEmpty();
        List<Role> pullSecrets =
                chart.ofKind("Role").stream()
                        .map(node -> Serialization.jsonMapper().convertValue(node, Role.class))
                        .filter(
                                role ->
                                        role.getMetadata()
                                                .getName()
                                                .equals(OPERATOR + "-pull-secrets"))
                        .toList();
        assertThat(pullSecrets)
                .extracting(role -> role.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(pullSecrets)
                .allSatisfy(
                        role ->
                                assertThat(verbs(role.getRules(), "", "secrets"))
                                        .containsExactly("get"));
        List<RoleBinding> bindings =
                chart.ofKind("RoleBinding").stream()
                        .map(
                                node ->
                                        Serialization.jsonMapper()
                                                .convertValue(node, RoleBinding.class))
                        .filter(b -> b.getMetadata().getName().equals(OPERATOR + "-pull-secrets"))
                        .toList();
        assertThat(bindings)
                .hasSize(2)
                .allSatisfy(
                        b -> {
                            assertThat(b.getRoleRef().getName())
                                    .isEqualTo(OPERATOR + "-pull-secrets");
                            assertThat(b.getSubjects())
                                    .singleElement()
                                    .satisfies(
                                            subject -> {
                                                assertThat(subject.getName()).isEqualTo(OPERATOR);
                                                assertThat(subject.getNamespace())
                                                        .isEqualTo(RenderedChart.NAMESPACE);
                                            });
                        });
        assertThat(RenderedChart.withDefaults().ofKind("Role"))
                .noneMatch(role -> role.at("/metadata/name").asText().endsWith("-pull-secrets"));
    }

    @Test
    void shouldServeModulesFromTheOperatorWithACertificateTheChartGenerates() throws Exception {
        RenderedChart chart = RenderedChart.withDefaults();
        Deployment operator = operator(chart);

        assertThat(args(operator))
                .contains(
                        "--module-service-port=9443",
                        "--module-service-cert=/var/run/wasmbind/module-service-tls/tls.crt",
                        "--module-service-key=/var/run/wasmbind/module-service-tls/tls.key");
        assertThat(mainContainer(operator).getPorts())
                .anySatisfy(
                        p -> {
                            assertThat(p.getName()).isEqualTo("module-service");
                            assertThat(p.getContainerPort()).isEqualTo(9443);
                        });
        assertThat(mainContainer(operator).getVolumeMounts())
                .anySatisfy(
                        m -> {
                            assertThat(m.getName()).isEqualTo("module-service-tls");
                            assertThat(m.getMountPath())
                                    .isEqualTo("/var/run/wasmbind/module-service-tls");
                        });
        assertThat(secretVolume(operator, "module-service-tls"))
                .isEqualTo(MODULE_SERVICE_TLS + "=tls.crt,tls.key");
        Service service = chart.get("Service", OPERATOR, Service.class);
        assertThat(service.getSpec().getPorts())
                .anySatisfy(
                        p -> {
                            assertThat(p.getPort()).isEqualTo(9443);
                            assertThat(p.getTargetPort().getStrVal()).isEqualTo("module-service");
                        });

        Secret secret = chart.get("Secret", MODULE_SERVICE_TLS, Secret.class);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        X509Certificate ca = certificate(secret.getData().get("ca.crt"));
        X509Certificate serving = certificate(secret.getData().get("tls.crt"));
        serving.verify(ca.getPublicKey());
        serving.checkValidity();
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(serving.getSubjectAlternativeNames())
                .extracting(san -> String.valueOf(san.get(1)))
                .contains(
                        OPERATOR + "." + RenderedChart.NAMESPACE + ".svc",
                        OPERATOR + "." + RenderedChart.NAMESPACE + ".svc.cluster.local");
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("tls.key"))))
                .contains("PRIVATE KEY");
        assertThat(chart.ofKind("Certificate")).isEmpty();
    }

    @Test
    void shouldGiveTheInjectorTheModuleServiceUrlAndOnlyItsCa() {
        Deployment injector = injector(RenderedChart.withDefaults());

        assertThat(args(injector))
                .contains(
                        "--module-service=https://"
                                + OPERATOR
                                + "."
                                + RenderedChart.NAMESPACE
                                + ".svc:9443",
                        "--module-service-ca-file=/var/run/wasmbind/module-service-ca/ca.crt");
        assertThat(mainContainer(injector).getVolumeMounts())
                .anySatisfy(
                        m -> {
                            assertThat(m.getName()).isEqualTo("module-service-ca");
                            assertThat(m.getMountPath())
                                    .isEqualTo("/var/run/wasmbind/module-service-ca");
                            assertThat(m.getReadOnly()).isTrue();
                        });
        // The CA only: the injector never sees the module service's private key.
        assertThat(secretVolume(injector, "module-service-ca"))
                .isEqualTo(MODULE_SERVICE_TLS + "=ca.crt");
    }

    @Test
    void shouldFollowAChangedModuleServicePortEverywhere() {
        RenderedChart chart = RenderedChart.with(Map.of("operator.moduleService.port", "10443"));

        assertThat(args(operator(chart))).contains("--module-service-port=10443");
        assertThat(args(injector(chart)))
                .contains(
                        "--module-service=https://"
                                + OPERATOR
                                + "."
                                + RenderedChart.NAMESPACE
                                + ".svc:10443");
        assertThat(chart.get("Service", OPERATOR, Service.class).getSpec().getPorts())
                .extracting(p -> p.getPort())
                .containsExactlyInAnyOrder(8080, 10443);
    }

    @Test
    void shouldIssueTheModuleServiceCertificateFromACertManagerCaWhenAsked() {
        RenderedChart chart =
                RenderedChart.with(Map.of("operator.moduleService.tls.mode", CERT_MANAGER));

        assertThat(chart.has("Secret", MODULE_SERVICE_TLS)).isFalse();
        JsonNode serving = chart.get("Certificate", "wasmbind-module-service");
        assertThat(serving.at("/spec/secretName").asText()).isEqualTo(MODULE_SERVICE_TLS);
        assertThat(serving.at("/spec/dnsNames").toString())
                .contains(OPERATOR + "." + RenderedChart.NAMESPACE + ".svc");
        // Renewals keep ca.crt: the serving certificate comes from a long-lived CA Issuer.
        assertThat(serving.at("/spec/issuerRef/name").asText())
                .isEqualTo("wasmbind-module-service-ca");
        JsonNode ca = chart.get("Certificate", "wasmbind-module-service-ca");
        assertThat(ca.at("/spec/isCA").asBoolean()).isTrue();
        assertThat(ca.at("/spec/issuerRef/name").asText())
                .isEqualTo("wasmbind-module-service-selfsigned");
        assertThat(
                        chart.get("Issuer", "wasmbind-module-service-ca")
                                .at("/spec/ca/secretName")
                                .asText())
                .isEqualTo("wasmbind-module-service-ca");
        assertThat(chart.has("Issuer", "wasmbind-module-service-selfsigned")).isTrue();
        assertThat(secretVolume(injector(chart), "module-service-ca"))
                .isEqualTo(MODULE_SERVICE_TLS + "=ca.crt");

        RenderedChart withIssuer =
                RenderedChart.with(
                        Map.of(
                                "operator.moduleService.tls.mode", CERT_MANAGER,
                                "operator.moduleService.tls.certManager.issuerRef.name", "corp-ca",
                                "operator.moduleService.tls.certManager.issuerRef.kind",
                                        "ClusterIssuer"));
        assertThat(
                        withIssuer
                                .get("Certificate", "wasmbind-module-service")
                                .at("/spec/issuerRef/name")
                                .asText())
                .isEqualTo("corp-ca");
        assertThat(withIssuer.ofKind("Issuer")).isEmpty();
        assertThat(withIssuer.has("Certificate", "wasmbind-module-service-ca")).isFalse();
    }

    @Test
    void shouldLeaveTheModuleServiceOutWhenDisabled() {
        RenderedChart chart = RenderedChart.with(Map.of("operator.moduleService.enabled", "false"));

        assertThat(args(operator(chart))).noneMatch(arg -> arg.startsWith("--module-service"));
        assertThat(args(injector(chart))).noneMatch(arg -> arg.startsWith("--module-service"));
        assertThat(mainContainer(operator(chart)).getPorts()).hasSize(1);
        assertThat(chart.has("Secret", MODULE_SERVICE_TLS)).isFalse();
        assertThat(chart.get("Service", OPERATOR, Service.class).getSpec().getPorts()).hasSize(1);
    }

    @Test
    void shouldRenderNoNetworkPolicyByDefault() {
        assertThat(RenderedChart.withDefaults().ofKind("NetworkPolicy")).isEmpty();
    }

    @Test
    void shouldLetOnlyPodsReachTheModuleServiceWhenNetworkPoliciesAreOn(@TempDir Path dir)
            throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(
                values,
                "networkPolicy:\n"
                        + "  enabled: true\n"
                        + "  moduleService:\n"
                        + "    namespaceSelector: {matchLabels: {wasmbind.dev/apps: \"true\"}}\n"
                        + "  metrics:\n"
                        + "    from:\n"
                        + "      - namespaceSelector:\n"
                        + "          matchLabels: {kubernetes.io/metadata.name: monitoring}\n");
        RenderedChart chart = RenderedChart.withValuesFile(values);

        NetworkPolicy operator = chart.get("NetworkPolicy", OPERATOR, NetworkPolicy.class);
        assertThat(operator.getSpec().getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "operator");
        assertThat(operator.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(operator.getSpec().getIngress())
                .hasSize(2)
                .anySatisfy(
                        rule -> {
                            assertThat(rule.getPorts())
                                    .singleElement()
                                    .satisfies(
                                            p ->
                                                    assertThat(p.getPort().getIntVal())
                                                            .isEqualTo(9443));
                            assertThat(rule.getFrom())
                                    .singleElement()
                                    .satisfies(
                                            peer -> {
                                                assertThat(peer.getIpBlock()).isNull();
                                                assertThat(
                                                                peer.getNamespaceSelector()
                                                                        .getMatchLabels())
                                                        .containsEntry("wasmbind.dev/apps", "true");
                                            });
                        })
                .anySatisfy(
                        rule -> {
                            assertThat(rule.getPorts())
                                    .singleElement()
                                    .satisfies(
                                            p ->
                                                    assertThat(p.getPort().getIntVal())
                                                            .isEqualTo(8080));
                            assertThat(rule.getFrom())
                                    .singleElement()
                                    .satisfies(
                                            peer ->
                                                    assertThat(
                                                                    peer.getNamespaceSelector()
                                                                            .getMatchLabels())
                                                            .containsEntry(
                                                                    "kubernetes.io/metadata.name",
                                                                    "monitoring"));
                        });
        NetworkPolicy injector = chart.get("NetworkPolicy", INJECTOR, NetworkPolicy.class);
        assertThat(injector.getSpec().getIngress())
                .singleElement()
                .satisfies(
                        rule -> {
                            assertThat(rule.getFrom()).isNullOrEmpty();
                            assertThat(rule.getPorts().get(0).getPort().getIntVal())
                                    .isEqualTo(8443);
                        });
    }

    @Test
    void shouldOpenTheModuleServiceToPodsOfEveryNamespaceByDefault() {
        NetworkPolicy operator =
                RenderedChart.with(Map.of("networkPolicy.enabled", "true"))
                        .get("NetworkPolicy", OPERATOR, NetworkPolicy.class);

        assertThat(operator.getSpec().getIngress().get(0).getFrom())
                .singleElement()
                .satisfies(
                        peer -> {
                            assertThat(peer.getNamespaceSelector()).isNotNull();
                            assertThat(peer.getNamespaceSelector().getMatchLabels())
                                    .isNullOrEmpty();
                            assertThat(peer.getIpBlock()).isNull();
                        });
    }

    @Test
    void shouldLintWithNetworkPoliciesAndCertManagerOn(@TempDir Path dir) throws IOException {
        Path chart = dir.resolve("wasmbind");
        copy(RenderedChart.chartDir(), chart);
        Path values = chart.resolve("values.yaml");
        String text =
                Files.readString(values)
                        .replace(
                                "networkPolicy:\n  enabled: false",
                                "networkPolicy:\n  enabled: true")
                        .replace("    mode: helm\n", "    mode: certManager\n");
        assertThat(text).contains("enabled: true").contains("mode: certManager");
        Files.writeString(values, text);

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
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
    void shouldCapTheModuleCacheBelowItsEmptyDirLimit() {
        assertThat(args(operator(RenderedChart.with(Map.of())))).contains("--cache-max-size=768Mi");
        assertThat(args(operator(RenderedChart.with(Map.of("operator.cache.maxSize", "2Gi")))))
                .contains("--cache-max-size=2Gi");
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

    /** "secretName=key,key" of a Secret volume: which keys of which Secret a pod sees. */
    private static String secretVolume(Deployment deployment, String volume) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(volume))
                .map(
                        v ->
                                v.getSecret().getSecretName()
                                        + "="
                                        + String.join(
                                                ",",
                                                v.getSecret().getItems().stream()
                                                        .map(item -> item.getKey())
                                                        .toList()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + volume));
    }

    private static X509Certificate certificate(String base64Pem) throws Exception {
        return (X509Certificate)
                CertificateFactory.getInstance("X.509")
                        .generateCertificate(
                                new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
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
