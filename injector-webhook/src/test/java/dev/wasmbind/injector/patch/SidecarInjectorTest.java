package dev.wasmbind.injector.patch;

import static dev.wasmbind.injector.patch.Pods.annotated;
import static dev.wasmbind.injector.patch.Pods.applied;
import static dev.wasmbind.injector.patch.Pods.assertValid;
import static dev.wasmbind.injector.patch.Pods.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.PemPair;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SidecarInjectorTest {

    private static final Map<String, String> INJECT = Map.of(Annotations.INJECT, "true");

    private static SidecarConfig.Builder config() {
        return SidecarConfig.builder().image("example/wasmbind-sidecar:1.0").injectorVersion("1.0");
    }

    private static final SidecarInjector REGULAR = new SidecarInjector(config().build());
    private static final SidecarInjector NATIVE =
            new SidecarInjector(config().nativeSidecar(true).build());

    @Test
    void shouldInjectSidecarVolumesAndAnnotationIntoAnnotatedPod() {
        Pod pod = annotated(INJECT).build();

        InjectionDecision decision = REGULAR.decide(pod);
        Pod result = applied(pod, decision);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.INJECTED);
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.warnings()).isEmpty();
        assertValid(result);
        assertThat(result.getMetadata().getAnnotations())
                .containsEntry(Annotations.INJECTED, "1.0")
                .containsEntry(Annotations.INJECT, "true");
        assertThat(result.getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("app", SidecarConfig.CONTAINER_NAME);
        assertThat(result.getSpec().getInitContainers()).isEmpty();

        Container sidecar = container(result.getSpec().getContainers(), "wasmbind-sidecar");
        assertThat(sidecar.getImage()).isEqualTo("example/wasmbind-sidecar:1.0");
        assertThat(sidecar.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(sidecar.getRestartPolicy()).isNull();
        assertThat(sidecar.getArgs())
                .containsExactly(
                        "--http-port", "3500",
                        "--health-port", "9464",
                        "--grpc-port", "50001",
                        "--log-level", "info",
                        "--modules-dir", "/var/run/wasmbind/modules",
                        "--token-file", "/var/run/secrets/wasmbind/token");
        assertThat(sidecar.getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly(
                        "wasmbind-http:3500", "wasmbind-health:9464", "wasmbind-grpc:50001");
        // No module service configured: no CA in the environment either.
        assertThat(sidecar.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .containsExactly("POD_NAME=metadata.name", "POD_NAMESPACE=metadata.namespace");
        // The API is loopback-only: the kubelet probes the health port.
        for (var probe :
                List.of(
                        sidecar.getStartupProbe(),
                        sidecar.getReadinessProbe(),
                        sidecar.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPath()).isEqualTo("/v1.0/healthz");
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("wasmbind-health");
        }
        assertThat(sidecar.getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m"))
                .containsEntry("memory", new Quantity("128Mi"));
        assertThat(sidecar.getResources().getLimits())
                .containsOnlyKeys("memory")
                .containsEntry("memory", new Quantity("512Mi"));
        assertHardened(sidecar.getSecurityContext());
        assertThat(sidecar.getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly(
                        "wasmbind-modules:/var/run/wasmbind/modules",
                        "wasmbind-token:/var/run/secrets/wasmbind",
                        "wasmbind-tmp:/tmp");

        Volume modules = volume(result, "wasmbind-modules");
        assertThat(modules.getEmptyDir()).isNotNull();
        Volume token = volume(result, "wasmbind-token");
        var sa = token.getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(sa.getAudience()).isEqualTo("wasmbind");
        assertThat(sa.getPath()).isEqualTo("token");
        assertThat(sa.getExpirationSeconds()).isEqualTo(3600L);

        Container app = container(result.getSpec().getContainers(), "app");
        assertThat(app.getEnv())
                .containsExactly(
                        new EnvVar("DAPR_HTTP_PORT", "3500", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
    }

    @Test
    void shouldPassTheServerLimitsThatAreSetAsSidecarFlags() {
        var injector = new SidecarInjector(config().serverLimits("2m", " ", null, "64Mi").build());

        Pod result = applied(annotated(INJECT).build(), injector.decide(annotated(INJECT).build()));

        assertThat(container(result.getSpec().getContainers(), "wasmbind-sidecar").getArgs())
                .endsWith("--idle-timeout", "2m", "--request-bytes-in-flight", "64Mi")
                .doesNotContain("--header-timeout", "--max-header-bytes");
    }

    @ParameterizedTest
    @CsvSource({"soon,,,", ",10,,", ",,8k,", ",,,64MB", ",,,0"})
    void shouldRefuseServerLimitsTheSidecarWouldNotTake(
            String idle, String header, String headerBytes, String inFlight) {
        assertThatThrownBy(() -> config().serverLimits(idle, header, headerBytes, inFlight))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not valid for the sidecar");
    }

    @Test
    void shouldInjectNativeSidecarAsInitContainerWithRestartPolicyAlways() {
        Pod pod = annotated(INJECT).build();

        Pod result = applied(pod, NATIVE.decide(pod));

        assertValid(result);
        assertThat(result.getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("app");
        Container sidecar = result.getSpec().getInitContainers().get(0);
        assertThat(result.getSpec().getInitContainers()).hasSize(1);
        assertThat(sidecar.getName()).isEqualTo("wasmbind-sidecar");
        assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
        assertHardened(sidecar.getSecurityContext());
    }

    @Test
    void shouldPlaceNativeSidecarAfterExistingNativeSidecarsAndBeforeInitSteps() {
        Pod pod =
                annotated(INJECT)
                        .editSpec()
                        .addNewInitContainer()
                        .withName("mesh-proxy")
                        .withImage("example/proxy")
                        .withRestartPolicy("Always")
                        .endInitContainer()
                        .addNewInitContainer()
                        .withName("migrate")
                        .withImage("example/migrate")
                        .addNewEnv()
                        .withName("DB")
                        .withValue("x")
                        .endEnv()
                        .endInitContainer()
                        .endSpec()
                        .build();

        Pod result = applied(pod, NATIVE.decide(pod));

        assertValid(result);
        assertThat(result.getSpec().getInitContainers())
                .extracting(Container::getName)
                .containsExactly("mesh-proxy", "wasmbind-sidecar", "migrate");
        // Init steps after the sidecar may call it: they get the port too, their env is kept.
        assertThat(container(result.getSpec().getInitContainers(), "migrate").getEnv())
                .containsExactly(
                        new EnvVar("DB", "x", null),
                        new EnvVar("DAPR_HTTP_PORT", "3500", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
        assertThat(container(result.getSpec().getInitContainers(), "mesh-proxy").getRestartPolicy())
                .isEqualTo("Always");
    }

    @Test
    void shouldLeaveInitContainersAloneWhenSidecarIsRegular() {
        Pod pod =
                annotated(INJECT)
                        .editSpec()
                        .addNewInitContainer()
                        .withName("migrate")
                        .withImage("example/migrate")
                        .endInitContainer()
                        .endSpec()
                        .build();

        Pod result = applied(pod, REGULAR.decide(pod));

        assertValid(result);
        assertThat(result.getSpec().getInitContainers())
                .containsExactlyElementsOf(pod.getSpec().getInitContainers());
        assertThat(result.getSpec().getContainers())
                .extracting(Container::getName)
                .containsExactly("app", "wasmbind-sidecar");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldNotPatchAPodTwiceWhenReinvoked(boolean nativeSidecar) {
        SidecarInjector injector = nativeSidecar ? NATIVE : REGULAR;
        Pod pod = annotated(INJECT).build();
        Pod once = applied(pod, injector.decide(pod));

        InjectionDecision again = injector.decide(once);

        assertThat(again.outcome()).isEqualTo(InjectionOutcome.ALREADY_INJECTED);
        assertThat(again.allowed()).isTrue();
        assertThat(again.patch()).isEmpty();
    }

    @Test
    void shouldRecognizeSidecarInjectedInTheOtherMode() {
        Pod pod = annotated(INJECT).build();
        Pod native_ = applied(pod, NATIVE.decide(pod));

        assertThat(REGULAR.decide(native_).outcome()).isEqualTo(InjectionOutcome.ALREADY_INJECTED);
    }

    @Test
    void shouldAllowPodWithoutAnnotationWithoutPatch() {
        Pod pod = annotated(Map.of("team", "a")).build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.NOT_REQUESTED);
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.patch()).isEmpty();
        assertThat(decision.warnings()).isEmpty();
    }

    @Test
    void shouldAllowPodWithoutAnyMetadataOrSpec() {
        InjectionDecision decision = REGULAR.decide(new Pod());

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.NOT_REQUESTED);
        assertThat(decision.patch()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "True", "TRUE", " true "})
    void shouldReadInjectAnnotationCaseInsensitively(String value) {
        Pod pod = annotated(Map.of(Annotations.INJECT, value)).build();

        assertThat(REGULAR.decide(pod).outcome()).isEqualTo(InjectionOutcome.INJECTED);
    }

    @Test
    void shouldSkipQuietlyWhenInjectIsFalse() {
        Pod pod = annotated(Map.of(Annotations.INJECT, "False")).build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.NOT_REQUESTED);
        assertThat(decision.warnings()).isEmpty();
    }

    @Test
    void shouldWarnWhenInjectIsNeitherTrueNorFalse() {
        Pod pod = annotated(Map.of(Annotations.INJECT, "yes")).build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.NOT_REQUESTED);
        assertThat(decision.patch()).isEmpty();
        assertThat(decision.warnings())
                .singleElement()
                .asString()
                .contains("wasmbind.dev/inject", "\"yes\"", "set it to \"true\"");
    }

    @Test
    void shouldApplyEveryAnnotation() {
        Pod pod =
                annotated(
                                Map.of(
                                        Annotations.INJECT, "true",
                                        Annotations.BINDINGS, "hello, resize-image",
                                        Annotations.PORT, "3600",
                                        Annotations.HEALTH_PORT, "9600",
                                        Annotations.LOG_LEVEL, "DEBUG",
                                        Annotations.SIDECAR_CPU_REQUEST, "250m",
                                        Annotations.SIDECAR_CPU_LIMIT, "1",
                                        Annotations.SIDECAR_MEMORY_REQUEST, "256Mi",
                                        Annotations.SIDECAR_MEMORY_LIMIT, "1Gi"))
                        .build();
        SidecarInjector injector =
                new SidecarInjector(
                        config().moduleServiceUrl("https://wasmbind-operator.wasmbind.svc:8443")
                                .build());

        InjectionDecision decision = injector.decide(pod);
        Pod result = applied(pod, decision);

        assertThat(decision.warnings()).isEmpty();
        assertValid(result);
        Container sidecar = container(result.getSpec().getContainers(), "wasmbind-sidecar");
        assertThat(sidecar.getArgs())
                .containsExactly(
                        "--http-port", "3600",
                        "--health-port", "9600",
                        "--grpc-port", "50001",
                        "--log-level", "debug",
                        "--modules-dir", "/var/run/wasmbind/modules",
                        "--token-file", "/var/run/secrets/wasmbind/token",
                        "--module-service", "https://wasmbind-operator.wasmbind.svc:8443",
                        "--bindings", "hello,resize-image");
        assertThat(sidecar.getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly(
                        "wasmbind-http:3600", "wasmbind-health:9600", "wasmbind-grpc:50001");
        assertThat(sidecar.getReadinessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo("wasmbind-health");
        assertThat(sidecar.getResources().getRequests())
                .containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("256Mi"));
        assertThat(sidecar.getResources().getLimits())
                .containsEntry("cpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("1Gi"));
        assertThat(container(result.getSpec().getContainers(), "app").getEnv())
                .containsExactly(
                        new EnvVar("DAPR_HTTP_PORT", "3600", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldHandTheModuleServiceAndItsCaToTheSidecar(boolean nativeSidecar) {
        String ca =
                CertificateAuthority.create("wasmbind-module-service-ca", Duration.ofDays(1))
                        .certificatePem();
        SidecarInjector injector =
                new SidecarInjector(
                        config().nativeSidecar(nativeSidecar)
                                .moduleServiceUrl(
                                        "https://wasmbind-operator.wasmbind-system.svc:9443")
                                .moduleServiceCa(ca)
                                .build());
        Pod pod = annotated(INJECT).build();

        Pod result = applied(pod, injector.decide(pod));

        assertValid(result);
        Container sidecar =
                container(
                        nativeSidecar
                                ? result.getSpec().getInitContainers()
                                : result.getSpec().getContainers(),
                        "wasmbind-sidecar");
        assertThat(sidecar.getArgs())
                .containsSequence(
                        "--module-service", "https://wasmbind-operator.wasmbind-system.svc:9443");
        assertThat(sidecar.getEnv())
                .filteredOn(e -> e.getName().equals("WASMBIND_MODULE_SERVICE_CA"))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getValueFrom()).isNull();
                            assertThat(PemPair.certificates(e.getValue()))
                                    .singleElement()
                                    .extracting(c -> c.getSubjectX500Principal().getName())
                                    .isEqualTo("CN=wasmbind-module-service-ca");
                        });
        // Only the sidecar trusts the CA: app containers get the port, nothing else.
        assertThat(container(result.getSpec().getContainers(), "app").getEnv())
                .containsExactly(
                        new EnvVar("DAPR_HTTP_PORT", "3500", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
    }

    @Test
    void shouldReadTheCaFromAFileAndRefuseWhatIsNoCertificate(@TempDir Path dir)
            throws IOException {
        String ca = CertificateAuthority.create("file-ca", Duration.ofDays(1)).certificatePem();
        Path file = Files.writeString(dir.resolve("ca.crt"), ca);
        Path key =
                Files.writeString(
                        dir.resolve("tls.key"),
                        "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
        SidecarConfig.Builder withUrl = config().moduleServiceUrl("https://operator:9443");

        assertThat(withUrl.moduleServiceCaFile(file).build().moduleServiceCa())
                .isEqualToIgnoringNewLines(ca);
        assertThatThrownBy(() -> withUrl.moduleServiceCaFile(key).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a PEM certificate");
        assertThatThrownBy(() -> withUrl.moduleServiceCaFile(dir.resolve("missing.crt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.crt");
        assertThatThrownBy(() -> config().moduleServiceCa(ca).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no module service URL");
    }

    @Test
    void shouldDenyTheDefaultHealthPortWhenTheAppUsesItAndAcceptAnotherOne() {
        Pod pod =
                annotated(new HashMap<>(INJECT))
                        .editSpec()
                        .editFirstContainer()
                        .addNewPort()
                        .withName("otel-metrics")
                        .withContainerPort(9464)
                        .endPort()
                        .endContainer()
                        .endSpec()
                        .build();

        InjectionDecision denied = REGULAR.decide(pod);

        assertThat(denied.outcome()).isEqualTo(InjectionOutcome.DENIED);
        assertThat(denied.message())
                .contains(Annotations.HEALTH_PORT, "\"app\"", "already uses port 9464");

        pod.getMetadata().getAnnotations().put(Annotations.HEALTH_PORT, "9465");
        Pod result = applied(pod, REGULAR.decide(pod));

        assertValid(result);
        assertThat(container(result.getSpec().getContainers(), "wasmbind-sidecar").getArgs())
                .containsSequence("--health-port", "9465");
    }

    @Test
    void shouldLowerDefaultRequestToAnAnnotatedLimit() {
        Pod pod =
                annotated(
                                Map.of(
                                        Annotations.INJECT,
                                        "true",
                                        Annotations.SIDECAR_MEMORY_LIMIT,
                                        "64Mi"))
                        .build();

        Container sidecar =
                container(
                        applied(pod, REGULAR.decide(pod)).getSpec().getContainers(),
                        "wasmbind-sidecar");

        assertThat(sidecar.getResources().getRequests())
                .containsEntry("memory", new Quantity("64Mi"));
        assertThat(sidecar.getResources().getLimits())
                .containsEntry("memory", new Quantity("64Mi"));
    }

    @Test
    void shouldRaiseDefaultLimitToAnAnnotatedRequest() {
        Pod pod =
                annotated(
                                Map.of(
                                        Annotations.INJECT,
                                        "true",
                                        Annotations.SIDECAR_MEMORY_REQUEST,
                                        "1Gi"))
                        .build();

        Container sidecar =
                container(
                        applied(pod, REGULAR.decide(pod)).getSpec().getContainers(),
                        "wasmbind-sidecar");

        assertThat(sidecar.getResources().getLimits()).containsEntry("memory", new Quantity("1Gi"));
    }

    static Stream<Arguments> invalidAnnotations() {
        return Stream.of(
                Arguments.of(Annotations.PORT, "abc", "port number from 1 to 65535"),
                Arguments.of(Annotations.PORT, "0", "port number from 1 to 65535"),
                Arguments.of(Annotations.PORT, "70000", "port number from 1 to 65535"),
                Arguments.of(Annotations.PORT, "-1", "port number from 1 to 65535"),
                Arguments.of(Annotations.PORT, "8080", "container \"app\" already uses port 8080"),
                Arguments.of(Annotations.PORT, "9464", "give them different ports"),
                Arguments.of(Annotations.HEALTH_PORT, "abc", "port number from 1 to 65535"),
                Arguments.of(Annotations.HEALTH_PORT, "65536", "port number from 1 to 65535"),
                Arguments.of(
                        Annotations.HEALTH_PORT,
                        "8080",
                        "container \"app\" already uses port 8080"),
                Arguments.of(Annotations.HEALTH_PORT, "3500", "give them different ports"),
                Arguments.of(
                        Annotations.LOG_LEVEL,
                        "verbose",
                        "use one of trace, debug, info, warn, error"),
                Arguments.of(Annotations.BINDINGS, "Hello", "is not a WasmBinding name"),
                Arguments.of(Annotations.BINDINGS, "a b", "is not a WasmBinding name"),
                Arguments.of(Annotations.SIDECAR_CPU_REQUEST, "lots", "e.g. \"250m\""),
                Arguments.of(Annotations.SIDECAR_CPU_LIMIT, "-1", "positive Kubernetes quantity"),
                Arguments.of(
                        Annotations.SIDECAR_MEMORY_REQUEST, "0", "positive Kubernetes quantity"),
                Arguments.of(Annotations.SIDECAR_MEMORY_LIMIT, "1GB", "e.g. \"256Mi\""));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidAnnotations")
    void shouldDenyInvalidAnnotationNamingItAndTheFix(String key, String value, String fix) {
        Pod pod = annotated(Map.of(Annotations.INJECT, "true", key, value)).build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.DENIED);
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.patch()).isEmpty();
        assertThat(decision.message()).contains(key, "\"" + value + "\"", fix);
    }

    @Test
    void shouldDenyRequestAboveLimit() {
        Pod pod =
                annotated(
                                Map.of(
                                        Annotations.INJECT, "true",
                                        Annotations.SIDECAR_MEMORY_REQUEST, "1Gi",
                                        Annotations.SIDECAR_MEMORY_LIMIT, "512Mi"))
                        .build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.DENIED);
        assertThat(decision.message())
                .contains(
                        Annotations.SIDECAR_MEMORY_REQUEST,
                        Annotations.SIDECAR_MEMORY_LIMIT,
                        "smaller");
    }

    @Test
    void shouldDenyDefaultPortTakenByAnInitContainer() {
        Pod pod =
                annotated(INJECT)
                        .editSpec()
                        .addNewInitContainer()
                        .withName("proxy")
                        .addNewPort()
                        .withContainerPort(3500)
                        .endPort()
                        .endInitContainer()
                        .endSpec()
                        .build();

        InjectionDecision decision = NATIVE.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.DENIED);
        assertThat(decision.message()).contains(Annotations.PORT, "\"proxy\"", "free port");
    }

    @Test
    void shouldWarnAboutUnknownWasmbindKeysAndStillInject() {
        Pod pod =
                annotated(
                                Map.of(
                                        Annotations.INJECT,
                                        "true",
                                        "wasmbind.dev/bindngs",
                                        "hello",
                                        "other/x",
                                        "y"))
                        .build();

        InjectionDecision decision = REGULAR.decide(pod);

        assertThat(decision.outcome()).isEqualTo(InjectionOutcome.INJECTED);
        assertThat(decision.warnings())
                .singleElement()
                .asString()
                .contains("unknown annotation wasmbind.dev/bindngs", Annotations.BINDINGS);
    }

    @Test
    void shouldNeverOverwriteUserEnvVolumesOrPorts() {
        Pod pod =
                annotated(INJECT)
                        .editSpec()
                        .editFirstContainer()
                        .addNewEnv()
                        .withName("DAPR_HTTP_PORT")
                        .withValue("9999")
                        .endEnv()
                        .addNewEnv()
                        .withName("OTHER")
                        .withValue("1")
                        .endEnv()
                        .endContainer()
                        .addNewContainer()
                        .withName("worker")
                        .withImage("example/worker")
                        .addNewEnv()
                        .withName("OTHER")
                        .withValue("2")
                        .endEnv()
                        .endContainer()
                        .addNewVolume()
                        .withName("wasmbind-modules")
                        .withNewEmptyDir()
                        .withMedium("Memory")
                        .endEmptyDir()
                        .endVolume()
                        .addNewVolume()
                        .withName("data")
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .endVolume()
                        .endSpec()
                        .build();

        InjectionDecision decision = REGULAR.decide(pod);
        Pod result = applied(pod, decision);

        assertValid(result);
        assertThat(container(result.getSpec().getContainers(), "app").getEnv())
                .containsExactly(
                        new EnvVar("DAPR_HTTP_PORT", "9999", null),
                        new EnvVar("OTHER", "1", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
        assertThat(container(result.getSpec().getContainers(), "app").getPorts())
                .isEqualTo(pod.getSpec().getContainers().get(0).getPorts());
        assertThat(container(result.getSpec().getContainers(), "worker").getEnv())
                .containsExactly(
                        new EnvVar("OTHER", "2", null),
                        new EnvVar("DAPR_HTTP_PORT", "3500", null),
                        new EnvVar("DAPR_GRPC_PORT", "50001", null));
        assertThat(volume(result, "wasmbind-modules").getEmptyDir().getMedium())
                .isEqualTo("Memory");
        assertThat(result.getSpec().getVolumes())
                .extracting(Volume::getName)
                .containsExactly("wasmbind-modules", "data", "wasmbind-token", "wasmbind-tmp");
        assertThat(decision.warnings())
                .singleElement()
                .asString()
                .contains("already defines volume \"wasmbind-modules\"");
    }

    @Test
    void shouldKeepAnAppsOwnDaprGrpcPortAndAddOnlyTheMissingHttpPort() {
        Pod pod =
                annotated(INJECT)
                        .editSpec()
                        .editFirstContainer()
                        .addNewEnv()
                        .withName("DAPR_GRPC_PORT")
                        .withValue("50002")
                        .endEnv()
                        .endContainer()
                        .endSpec()
                        .build();

        Pod result = applied(pod, REGULAR.decide(pod));

        assertValid(result);
        assertThat(container(result.getSpec().getContainers(), "app").getEnv())
                .containsExactly(
                        new EnvVar("DAPR_GRPC_PORT", "50002", null),
                        new EnvVar("DAPR_HTTP_PORT", "3500", null));
    }

    @Test
    void shouldInjectIntoPodWithoutVolumesEnvOrOtherAnnotations() {
        Pod pod =
                new PodBuilder()
                        .withNewMetadata()
                        .withGenerateName("app-")
                        .addToAnnotations(Annotations.INJECT, "true")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("app")
                        .withImage("example/app")
                        .endContainer()
                        .endSpec()
                        .build();

        Pod result = applied(pod, NATIVE.decide(pod));

        assertValid(result);
        assertThat(result.getSpec().getVolumes()).hasSize(3);
        assertThat(result.getSpec().getInitContainers()).hasSize(1);
        assertThat(result.getSpec().getContainers().get(0).getEnv()).hasSize(2);
    }

    private static Volume volume(Pod pod, String name) {
        return pod.getSpec().getVolumes().stream()
                .filter(v -> name.equals(v.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static void assertHardened(SecurityContext sc) {
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isPositive();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }
}
