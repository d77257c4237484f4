package dev.wasmbind.injector.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Test helpers: pods to inject into, applying a patch, and the checks a valid pod passes. */
final class Pods {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Pods() {}

    static PodBuilder annotated(Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("app")
                .withNamespace("team-a")
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/app:1")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .endContainer()
                .endSpec();
    }

    static Pod applied(Pod pod, InjectionDecision decision) {
        try {
            JsonNode source = MAPPER.valueToTree(pod);
            JsonNode patch = MAPPER.readTree(PatchJson.toBytes(decision.patch()));
            return MAPPER.treeToValue(JsonPatch.apply(patch, source), Pod.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Container container(List<Container> containers, String name) {
        return containers.stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    /** The structural rules the API server would check on what we add. */
    static void assertValid(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        assertThat(all).extracting(Container::getName).doesNotHaveDuplicates();
        Set<String> volumes =
                pod.getSpec().getVolumes().stream()
                        .map(Volume::getName)
                        .collect(Collectors.toSet());
        assertThat(volumes).hasSameSizeAs(pod.getSpec().getVolumes());
        Set<Integer> ports = new HashSet<>();
        for (Container c : all) {
            for (VolumeMount m : c.getVolumeMounts()) {
                assertThat(volumes)
                        .as("volume of mount %s", m.getMountPath())
                        .contains(m.getName());
            }
            Set<String> portNames = new HashSet<>();
            for (ContainerPort p : c.getPorts()) {
                assertThat(ports.add(p.getContainerPort()))
                        .as("port %s used once", p.getContainerPort())
                        .isTrue();
                if (p.getName() != null) {
                    assertThat(p.getName()).hasSizeLessThanOrEqualTo(15);
                    portNames.add(p.getName());
                }
            }
            for (Probe probe :
                    new Probe[] {
                        c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()
                    }) {
                if (probe != null && probe.getHttpGet().getPort().getStrVal() != null) {
                    assertThat(portNames).contains(probe.getHttpGet().getPort().getStrVal());
                }
            }
        }
        for (Container c : pod.getSpec().getContainers()) {
            assertThat(c.getRestartPolicy()).as("app containers have no restartPolicy").isNull();
        }
    }
}
