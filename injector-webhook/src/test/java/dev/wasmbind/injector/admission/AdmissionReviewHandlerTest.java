package dev.wasmbind.injector.admission;

import static dev.wasmbind.injector.admission.Reviews.annotations;
import static dev.wasmbind.injector.admission.Reviews.bytes;
import static dev.wasmbind.injector.admission.Reviews.patchedPod;
import static dev.wasmbind.injector.admission.Reviews.patchedPodJson;
import static dev.wasmbind.injector.admission.Reviews.podCreate;
import static dev.wasmbind.injector.admission.Reviews.response;
import static dev.wasmbind.injector.admission.Reviews.withPod;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AdmissionReviewHandlerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AdmissionReviewHandler handler =
            new AdmissionReviewHandler(
                    new SidecarInjector(
                            SidecarConfig.builder()
                                    .image("example/wasmbind-sidecar:1.0")
                                    .injectorVersion("1.0")
                                    .nativeSidecar(true)
                                    .build()),
                    new AdmissionMetrics(registry));

    @Test
    void shouldAnswerPodCreateWithJsonPatchThatInjectsTheSidecar() {
        ObjectNode review = podCreate();

        AdmissionReviewHandler.Reply reply = handler.handle(bytes(review));
        JsonNode response = response(reply.body());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).isEqualTo("application/json");
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        Pod pod = patchedPod(review, response);
        assertThat(pod.getSpec().getInitContainers())
                .extracting(Container::getName)
                .containsExactly("wasmbind-sidecar");
        assertThat(pod.getSpec().getInitContainers().get(0).getArgs())
                .contains("--bindings", "hello");
        assertThat(pod.getSpec().getVolumes())
                .extracting(Volume::getName)
                .containsExactly(
                        "kube-api-access-8xk2p",
                        "wasmbind-modules",
                        "wasmbind-token",
                        "wasmbind-tmp");
        assertThat(pod.getMetadata().getAnnotations())
                .containsEntry("wasmbind.dev/injected", "1.0");
        assertThat(registry.get("wasmbind.injector.injections").counter().count()).isEqualTo(1);
        assertThat(
                        registry.get("wasmbind.injector.reviews")
                                .tag("operation", "CREATE")
                                .counter()
                                .count())
                .isEqualTo(1);
        assertThat(registry.get("wasmbind.injector.review.duration").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldAnswerReinvocationWithoutPatch() {
        ObjectNode review = podCreate();
        JsonNode first = response(handler.handle(bytes(review)).body());
        ObjectNode again = withPod(review, patchedPodJson(review, first));

        JsonNode response = response(handler.handle(bytes(again)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.has("patchType")).isFalse();
        assertThat(
                        registry.get("wasmbind.injector.skips")
                                .tag("reason", "already-injected")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void shouldAllowPodWithoutAnnotationWithoutPatch() {
        ObjectNode review = podCreate();
        annotations(review).removeAll();

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void shouldDenyInvalidAnnotationWithMessageNamingIt() {
        ObjectNode review = podCreate();
        annotations(review).put("wasmbind.dev/sidecar-memory-limit", "lots");

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(400);
        assertThat(response.path("status").path("message").asText())
                .contains("wasmbind.dev/sidecar-memory-limit", "\"lots\"", "256Mi");
        assertThat(response.has("patch")).isFalse();
        assertThat(
                        registry.get("wasmbind.injector.denials")
                                .tag("annotation", "wasmbind.dev/sidecar-memory-limit")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    static Stream<Arguments> badAnnotationValues() {
        String cpuFix = "e.g. \"250m\"";
        String memoryFix = "e.g. \"256Mi\"";
        String portFix = "port number from 1 to 65535";
        Stream.Builder<Arguments> table = Stream.builder();
        for (String key :
                new String[] {
                    "wasmbind.dev/sidecar-cpu-request", "wasmbind.dev/sidecar-cpu-limit"
                }) {
            for (String value :
                    new String[] {
                        "1e99999999999",
                        "1e999",
                        "-1",
                        "12345678901234567890",
                        "0",
                        "0.0000000001n",
                        "lots",
                        "1 CPU",
                        ""
                    }) {
                table.add(Arguments.of(key, value, cpuFix));
            }
        }
        for (String key :
                new String[] {
                    "wasmbind.dev/sidecar-memory-request", "wasmbind.dev/sidecar-memory-limit"
                }) {
            for (String value :
                    new String[] {
                        "1e99999999999",
                        "1E99999999999",
                        "-1Gi",
                        "12345678901234567890Ti",
                        "9Ei",
                        "0Mi",
                        "1GB",
                        "Gi",
                        "1..5Gi",
                        "9".repeat(100)
                    }) {
                table.add(Arguments.of(key, value, memoryFix));
            }
        }
        for (String key : new String[] {"wasmbind.dev/port", "wasmbind.dev/health-port"}) {
            for (String value :
                    new String[] {
                        "0", "-1", "65536", "99999999999999999999", "http", "8O80", "1e3", ""
                    }) {
                table.add(Arguments.of(key, value, portFix));
            }
        }
        for (String value : new String[] {"Hello", "a b", "-x", "x-", "a,,B", "\u00e9t\u00e9"}) {
            table.add(Arguments.of("wasmbind.dev/bindings", value, "is not a WasmBinding name"));
        }
        table.add(
                Arguments.of(
                        "wasmbind.dev/bindings", "a".repeat(254), "is not a WasmBinding name"));
        for (String value : new String[] {"verbose", "", "0", "INFOO", "fatal"}) {
            table.add(Arguments.of("wasmbind.dev/log-level", value, "use one of trace, debug"));
        }
        return table.build();
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("badAnnotationValues")
    void shouldDenyEveryBadAnnotationValueNamingTheAnnotationAndTheFix(
            String key, String value, String fix) {
        ObjectNode review = podCreate();
        annotations(review).put(key, value);

        AdmissionReviewHandler.Reply reply = handler.handle(bytes(review));
        JsonNode response = response(reply.body());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(400);
        assertThat(response.path("status").path("message").asText())
                .contains("annotation " + key + ": \"" + value + "\"", fix);
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void shouldDenyWithAReviewNotAnHttpErrorWhenTheInjectorFails() {
        AdmissionReviewHandler failing =
                new AdmissionReviewHandler(
                        pod -> {
                            throw new ArithmeticException("BigInteger would overflow");
                        },
                        new AdmissionMetrics(registry));

        AdmissionReviewHandler.Reply reply = failing.handle(bytes(podCreate()));
        JsonNode response = response(reply.body());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.path("status").path("code").asInt()).isEqualTo(500);
        assertThat(response.path("status").path("message").asText())
                .contains("ArithmeticException: BigInteger would overflow");
    }

    @Test
    void shouldReturnUnknownKeysAsWarnings() {
        ObjectNode review = podCreate();
        annotations(review).put("wasmbind.dev/logLevel", "debug");

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("warnings")).hasSize(1);
        assertThat(response.path("warnings").get(0).asText()).contains("wasmbind.dev/logLevel");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UPDATE", "DELETE", "CONNECT"})
    void shouldPassOtherOperationsThrough(String operation) {
        ObjectNode review = podCreate();
        ((ObjectNode) review.get("request")).put("operation", operation);

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(
                        registry.get("wasmbind.injector.skips")
                                .tag("reason", "not-create")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void shouldAllowNonPodReviewUnchangedAndSaySo() {
        ObjectNode review = podCreate();
        ObjectNode request = (ObjectNode) review.get("request");
        request.set(
                "kind",
                Reviews.MAPPER
                        .createObjectNode()
                        .put("group", "apps")
                        .put("version", "v1")
                        .put("kind", "Deployment"));
        request.set(
                "resource",
                Reviews.MAPPER
                        .createObjectNode()
                        .put("group", "apps")
                        .put("version", "v1")
                        .put("resource", "deployments"));

        AdmissionReviewHandler.Reply reply = handler.handle(bytes(review));
        JsonNode response = response(reply.body());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.path("status").path("message").asText())
                .contains("only mutates Pods", "apps/Deployment");
    }

    @Test
    void shouldAllowPodSubresourceUnchanged() {
        ObjectNode review = podCreate();
        ((ObjectNode) review.get("request")).put("subResource", "binding");

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void shouldAllowUnreadablePodObjectUnchangedAndSaySo() {
        ObjectNode review = podCreate();
        ((ObjectNode) review.path("request").path("object").path("spec"))
                .put("containers", "not-a-list");

        JsonNode response = response(handler.handle(bytes(review)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.path("status").path("message").asText())
                .contains("request.object is not a Pod");
        assertThat(
                        registry.get("wasmbind.injector.errors")
                                .tag("reason", "bad-object")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    static Stream<Arguments> malformedBodies() {
        ObjectNode v1beta1 = podCreate().put("apiVersion", "admission.k8s.io/v1beta1");
        ObjectNode noUid = podCreate();
        ((ObjectNode) noUid.get("request")).remove("uid");
        ObjectNode noRequest = podCreate();
        noRequest.remove("request");
        return Stream.of(
                Arguments.of("empty body", new byte[0], "not a JSON object"),
                Arguments.of(
                        "not JSON",
                        "{\"kind\": Admiss".getBytes(StandardCharsets.UTF_8),
                        "not JSON"),
                Arguments.of(
                        "JSON array",
                        "[1,2]".getBytes(StandardCharsets.UTF_8),
                        "not a JSON object"),
                Arguments.of(
                        "a Pod, not a review",
                        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}".getBytes(StandardCharsets.UTF_8),
                        "expected kind AdmissionReview"),
                Arguments.of("v1beta1", bytes(v1beta1), "admissionReviewVersions: [v1]"),
                Arguments.of("no uid", bytes(noUid), "no request.uid"),
                Arguments.of("no request", bytes(noRequest), "no request.uid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void shouldAnswerMalformedBodyWith400AndReason(String name, byte[] body, String reason) {
        AdmissionReviewHandler.Reply reply = handler.handle(body);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                .startsWith("malformed AdmissionReview: ")
                .contains(reason);
        assertThat(
                        registry.get("wasmbind.injector.errors")
                                .tag("reason", "malformed")
                                .counter()
                                .count())
                .isEqualTo(1);
    }
}
