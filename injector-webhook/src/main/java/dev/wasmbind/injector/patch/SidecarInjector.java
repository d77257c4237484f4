package dev.wasmbind.injector.patch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether and how to inject the sidecar into one pod, as a JSON patch. Pure: no I/O, the
 * same pod and config always give the same answer.
 */
public final class SidecarInjector {

    public static final String MODULES_VOLUME = "wasmbind-modules";
    public static final String TOKEN_VOLUME = "wasmbind-token";
    public static final String TMP_VOLUME = "wasmbind-tmp";
    public static final String MODULES_DIR = "/var/run/wasmbind/modules";
    public static final String TOKEN_DIR = "/var/run/secrets/wasmbind";
    public static final String TOKEN_FILE = TOKEN_DIR + "/token";
    public static final String HTTP_PORT_NAME = "wasmbind-http";
    public static final String HEALTH_PORT_NAME = "wasmbind-health";
    public static final String HEALTH_PATH = "/v1.0/healthz";

    /** Set on app containers (unless already set) so Dapr SDKs find the sidecar. */
    public static final String APP_PORT_ENV = "DAPR_HTTP_PORT";

    /** Set beside {@link #APP_PORT_ENV}: the SDKs' default (gRPC) transport finds the sidecar. */
    public static final String APP_GRPC_PORT_ENV = "DAPR_GRPC_PORT";

    /** daprd's gRPC API port, where the sidecar serves Dapr's gRPC API. */
    public static final int GRPC_PORT = 50001;

    public static final String GRPC_PORT_NAME = "wasmbind-grpc";

    private final SidecarConfig config;

    public SidecarInjector(SidecarConfig config) {
        this.config = Objects.requireNonNull(config);
    }

    public InjectionDecision decide(Pod pod) {
        Map<String, String> annotations = annotations(pod);
        List<String> warnings = new ArrayList<>();
        annotations.keySet().stream()
                .filter(Annotations::isUnknownWasmbindKey)
                .sorted()
                .forEach(
                        key ->
                                warnings.add(
                                        "unknown annotation "
                                                + key
                                                + " is ignored; known keys: "
                                                + String.join(", ", Annotations.USER_KEYS)));

        String inject = annotations.get(Annotations.INJECT);
        if (inject == null || !inject.trim().equalsIgnoreCase("true")) {
            if (inject != null && !inject.trim().equalsIgnoreCase("false")) {
                warnings.add(
                        "annotation "
                                + Annotations.INJECT
                                + ": \""
                                + inject
                                + "\" is neither \"true\" nor \"false\"; the wasmbind sidecar was"
                                + " not injected, set it to \"true\" to inject it");
            }
            return InjectionDecision.unchanged(
                    InjectionOutcome.NOT_REQUESTED,
                    warnings,
                    Annotations.INJECT + " is not \"true\"");
        }
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        if (hasSidecar(spec.getContainers()) || hasSidecar(spec.getInitContainers())) {
            return InjectionDecision.unchanged(
                    InjectionOutcome.ALREADY_INJECTED,
                    warnings,
                    "the pod already has a " + SidecarConfig.CONTAINER_NAME + " container");
        }

        PodSettings settings;
        try {
            settings = PodSettings.from(annotations, config);
            checkPortIsFree(Annotations.PORT, settings.httpPort(), spec);
            checkPortIsFree(Annotations.HEALTH_PORT, settings.healthPort(), spec);
        } catch (InvalidAnnotationException e) {
            return InjectionDecision.denied(e, warnings);
        }

        List<JsonPatchOperation> ops = new ArrayList<>();
        ops.add(
                JsonPatchOperation.add(
                        "/metadata/annotations/" + JsonPatchOperation.escape(Annotations.INJECTED),
                        config.injectorVersion()));
        addVolumes(spec, ops, warnings);
        addPortEnv(spec.getContainers(), "/spec/containers", settings, ops);
        if (config.nativeSidecar()) {
            addPortEnv(spec.getInitContainers(), "/spec/initContainers", settings, ops);
        }
        addSidecar(spec, sidecar(settings), ops);
        return new InjectionDecision(
                InjectionOutcome.INJECTED,
                ops,
                warnings,
                "injected " + SidecarConfig.CONTAINER_NAME + " " + config.injectorVersion(),
                null);
    }

    private static Map<String, String> annotations(Pod pod) {
        if (pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null) {
            return Map.of();
        }
        return pod.getMetadata().getAnnotations();
    }

    private static boolean hasSidecar(List<Container> containers) {
        return containers != null
                && containers.stream()
                        .anyMatch(c -> SidecarConfig.CONTAINER_NAME.equals(c.getName()));
    }

    /** Containers share the pod's network: a port another container declares is taken. */
    private static void checkPortIsFree(String key, int port, PodSpec spec)
            throws InvalidAnnotationException {
        List<Container> all = new ArrayList<>();
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        if (spec.getContainers() != null) {
            all.addAll(spec.getContainers());
        }
        for (Container c : all) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getContainerPort() != null && p.getContainerPort() == port) {
                    throw new InvalidAnnotationException(
                            key,
                            String.valueOf(port),
                            "container \""
                                    + c.getName()
                                    + "\" already uses port "
                                    + port
                                    + "; set "
                                    + key
                                    + " to a free port for the sidecar");
                }
            }
        }
    }

    private void addVolumes(PodSpec spec, List<JsonPatchOperation> ops, List<String> warnings) {
        List<Volume> wanted = List.of(modulesVolume(), tokenVolume(), tmpVolume());
        if (spec.getVolumes() == null || spec.getVolumes().isEmpty()) {
            ops.add(JsonPatchOperation.add("/spec/volumes", wanted));
            return;
        }
        for (Volume v : wanted) {
            boolean taken =
                    spec.getVolumes().stream().anyMatch(u -> v.getName().equals(u.getName()));
            if (taken) {
                warnings.add(
                        "the pod already defines volume \""
                                + v.getName()
                                + "\"; the sidecar mounts it as it is");
            } else {
                ops.add(JsonPatchOperation.add("/spec/volumes/-", v));
            }
        }
    }

    private static void addPortEnv(
            List<Container> containers,
            String basePath,
            PodSettings settings,
            List<JsonPatchOperation> ops) {
        if (containers == null) {
            return;
        }
        List<EnvVar> ports =
                List.of(
                        new EnvVar(APP_PORT_ENV, String.valueOf(settings.httpPort()), null),
                        new EnvVar(APP_GRPC_PORT_ENV, String.valueOf(GRPC_PORT), null));
        for (int i = 0; i < containers.size(); i++) {
            List<EnvVar> env = containers.get(i).getEnv();
            String path = basePath + "/" + i + "/env";
            List<EnvVar> missing =
                    env == null
                            ? ports
                            : ports.stream()
                                    .filter(
                                            p ->
                                                    env.stream()
                                                            .noneMatch(
                                                                    e ->
                                                                            p.getName()
                                                                                    .equals(
                                                                                            e
                                                                                                    .getName())))
                                    .toList();
            if (env == null || env.isEmpty()) {
                ops.add(JsonPatchOperation.add(path, missing));
            } else {
                missing.forEach(p -> ops.add(JsonPatchOperation.add(path + "/-", p)));
            }
        }
    }

    /**
     * Native sidecars go after the pod's leading native sidecars (a mesh proxy stays first, so our
     * module sync has a network) and before every ordinary init container (so an init step may
     * already call a binding). Regular sidecars go last among the containers.
     */
    private void addSidecar(PodSpec spec, Container sidecar, List<JsonPatchOperation> ops) {
        if (config.nativeSidecar()) {
            List<Container> init = spec.getInitContainers();
            if (init == null || init.isEmpty()) {
                ops.add(JsonPatchOperation.add("/spec/initContainers", List.of(sidecar)));
                return;
            }
            int at = 0;
            while (at < init.size() && "Always".equals(init.get(at).getRestartPolicy())) {
                at++;
            }
            ops.add(JsonPatchOperation.add("/spec/initContainers/" + at, sidecar));
        } else if (spec.getContainers() == null || spec.getContainers().isEmpty()) {
            ops.add(JsonPatchOperation.add("/spec/containers", List.of(sidecar)));
        } else {
            ops.add(JsonPatchOperation.add("/spec/containers/-", sidecar));
        }
    }

    Container sidecar(PodSettings settings) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--http-port", String.valueOf(settings.httpPort())));
        args.addAll(List.of("--health-port", String.valueOf(settings.healthPort())));
        args.addAll(List.of("--grpc-port", String.valueOf(GRPC_PORT)));
        args.addAll(List.of("--log-level", settings.logLevel()));
        args.addAll(List.of("--modules-dir", MODULES_DIR));
        args.addAll(List.of("--token-file", TOKEN_FILE));
        if (config.moduleServiceUrl() != null) {
            args.addAll(List.of("--module-service", config.moduleServiceUrl()));
        }
        if (!settings.bindings().isEmpty()) {
            args.addAll(List.of("--bindings", String.join(",", settings.bindings())));
        }
        args.addAll(config.serverLimitArgs());
        ContainerBuilder b =
                new ContainerBuilder()
                        .withName(SidecarConfig.CONTAINER_NAME)
                        .withImage(config.image())
                        .withImagePullPolicy(config.imagePullPolicy())
                        .withArgs(args)
                        // The API listens on 127.0.0.1 only; declared so that no other
                        // container of the pod takes the port.
                        .addNewPort()
                        .withName(HTTP_PORT_NAME)
                        .withContainerPort(settings.httpPort())
                        .withProtocol("TCP")
                        .endPort()
                        // /v1.0/healthz and /metrics on all addresses: kubelet and Prometheus.
                        .addNewPort()
                        .withName(HEALTH_PORT_NAME)
                        .withContainerPort(settings.healthPort())
                        .withProtocol("TCP")
                        .endPort()
                        .addNewPort()
                        .withName(GRPC_PORT_NAME)
                        .withContainerPort(GRPC_PORT)
                        .withProtocol("TCP")
                        .endPort()
                        .withEnv(downward("POD_NAME", "metadata.name"))
                        .addToEnv(downward("POD_NAMESPACE", "metadata.namespace"))
                        .withResources(resources(settings))
                        .addNewVolumeMount()
                        .withName(MODULES_VOLUME)
                        .withMountPath(MODULES_DIR)
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName(TOKEN_VOLUME)
                        .withMountPath(TOKEN_DIR)
                        .withReadOnly(true)
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName(TMP_VOLUME)
                        .withMountPath("/tmp")
                        .endVolumeMount()
                        // The JVM needs a few seconds to start: allow a minute before liveness.
                        .withStartupProbe(probe(1, 60))
                        .withReadinessProbe(probe(5, 3))
                        .withLivenessProbe(probe(10, 3))
                        .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(config.runAsUser())
                        .withRunAsGroup(config.runAsUser())
                        .withReadOnlyRootFilesystem(true)
                        .withAllowPrivilegeEscalation(false)
                        .withPrivileged(false)
                        .withNewCapabilities()
                        .withDrop("ALL")
                        .endCapabilities()
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .endSecurityContext();
        if (config.moduleServiceCa() != null) {
            b.addToEnv(
                    new EnvVar(
                            SidecarConfig.MODULE_SERVICE_CA_ENV, config.moduleServiceCa(), null));
        }
        if (config.nativeSidecar()) {
            b.withRestartPolicy("Always");
        }
        return b.build();
    }

    private static EnvVar downward(String name, String fieldPath) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath(fieldPath)
                .endFieldRef()
                .endValueFrom()
                .build();
    }

    private static Probe probe(int periodSeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(HEALTH_PATH)
                .withPort(new IntOrString(HEALTH_PORT_NAME))
                .endHttpGet()
                .withPeriodSeconds(periodSeconds)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static ResourceRequirements resources(PodSettings s) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        putIfSet(requests, "cpu", s.cpuRequest());
        putIfSet(requests, "memory", s.memoryRequest());
        putIfSet(limits, "cpu", s.cpuLimit());
        putIfSet(limits, "memory", s.memoryLimit());
        ResourceRequirements r = new ResourceRequirements();
        r.setRequests(requests.isEmpty() ? null : requests);
        r.setLimits(limits.isEmpty() ? null : limits);
        return r;
    }

    private static void putIfSet(Map<String, Quantity> map, String key, Quantity q) {
        if (q != null) {
            map.put(key, q);
        }
    }

    private static Volume modulesVolume() {
        return new VolumeBuilder().withName(MODULES_VOLUME).withNewEmptyDir().endEmptyDir().build();
    }

    private static Volume tmpVolume() {
        // The root filesystem is read-only; the JVM and Vert.x still want a scratch directory.
        return new VolumeBuilder()
                .withName(TMP_VOLUME)
                .withNewEmptyDir()
                .withSizeLimit(new Quantity("64Mi"))
                .endEmptyDir()
                .build();
    }

    private Volume tokenVolume() {
        return new VolumeBuilder()
                .withName(TOKEN_VOLUME)
                .withNewProjected()
                .withDefaultMode(0444)
                .addNewSource()
                .withNewServiceAccountToken()
                .withAudience(SidecarConfig.TOKEN_AUDIENCE)
                .withExpirationSeconds(config.tokenExpirationSeconds())
                .withPath("token")
                .endServiceAccountToken()
                .endSource()
                .endProjected()
                .build();
    }
}
