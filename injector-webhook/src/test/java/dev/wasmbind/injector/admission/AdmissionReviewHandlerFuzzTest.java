package dev.wasmbind.injector.admission;

import static dev.wasmbind.injector.admission.Reviews.annotations;
import static dev.wasmbind.injector.admission.Reviews.bytes;
import static dev.wasmbind.injector.admission.Reviews.podCreate;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wasmbind.injector.patch.Annotations;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the AdmissionReview handler: any annotations on a pod get a valid review back (allowed, or
 * denied with a status naming why), any body gets a review or a 400 with the reason; it never
 * throws. Runs its seeds in every build; {@code JAZZER_FUZZ=1} fuzzes (see docs/fuzzing.md).
 */
class AdmissionReviewHandlerFuzzTest {

    // Every user key but inject, which stays "true": every pod is injected or denied.
    private static final java.util.List<String> SETTINGS =
            Annotations.USER_KEYS.subList(1, Annotations.USER_KEYS.size());

    private static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";

    private final AdmissionReviewHandler handler =
            new AdmissionReviewHandler(
                    new SidecarInjector(
                            SidecarConfig.builder()
                                    .image("example/wasmbind-sidecar:1.0")
                                    .injectorVersion("1.0")
                                    .nativeSidecar(true)
                                    .build()),
                    new AdmissionMetrics(new SimpleMeterRegistry()));

    @FuzzTest(maxDuration = "2m")
    void shouldAnswerAnyAnnotationsWithAValidReview(FuzzedDataProvider data) throws IOException {
        ObjectNode review = podCreate();
        ObjectNode annotations = annotations(review);
        annotations.put(Annotations.INJECT, "true");
        int count = data.consumeInt(0, 6);
        for (int i = 0; i < count; i++) {
            String key =
                    data.consumeBoolean()
                            ? data.pickValue(SETTINGS)
                            : Annotations.PREFIX + data.consumeString(20);
            annotations.put(key, data.consumeString(64));
        }

        AdmissionReviewHandler.Reply reply = handler.handle(bytes(review));

        assertThat(reply.status()).isEqualTo(200);
        JsonNode response = Reviews.MAPPER.readTree(reply.body()).path("response");
        assertThat(response.path("uid").asText()).isEqualTo(UID);
        assertThat(response.path("allowed").isBoolean()).isTrue();
        if (!response.path("allowed").asBoolean()) {
            assertThat(response.path("status").path("code").asInt()).isEqualTo(400);
            assertThat(response.path("status").path("message").asText())
                    .startsWith("annotation " + Annotations.PREFIX);
            assertThat(response.has("patch")).isFalse();
        } else {
            assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        }
    }

    @FuzzTest(maxDuration = "2m")
    void shouldAnswerAnyBodyWithAReviewOrA400(byte[] body) throws IOException {
        AdmissionReviewHandler.Reply reply = handler.handle(body);

        if (reply.status() == 200) {
            JsonNode review = Reviews.MAPPER.readTree(reply.body());
            assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
            assertThat(review.path("response").path("uid").asText()).isNotEmpty();
            assertThat(review.path("response").path("allowed").isBoolean()).isTrue();
        } else {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                    .startsWith("malformed AdmissionReview: ");
        }
    }
}
