package dev.wasmbind.injector.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Test helpers: the AdmissionReview the API server sends, and reading what comes back. */
final class Reviews {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Reviews() {}

    /** A Deployment's pod CREATE review as a real API server sends it (defaulted, SA volume). */
    static ObjectNode podCreate() {
        try (InputStream in =
                Reviews.class.getResourceAsStream("/admission/pod-create-review.json")) {
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode podOf(ObjectNode review) {
        return (ObjectNode) review.path("request").path("object");
    }

    static ObjectNode annotations(ObjectNode review) {
        return (ObjectNode) podOf(review).path("metadata").path("annotations");
    }

    static byte[] bytes(JsonNode review) {
        try {
            return MAPPER.writeValueAsBytes(review);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode response(byte[] body) {
        try {
            JsonNode review = MAPPER.readTree(body);
            return review.path("response");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request's pod with the response's JSON patch applied (unchanged if none). */
    static JsonNode patchedPodJson(ObjectNode review, JsonNode response) {
        JsonNode pod = podOf(review);
        if (!response.hasNonNull("patch")) {
            return pod;
        }
        try {
            JsonNode patch =
                    MAPPER.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
            return JsonPatch.apply(patch, pod);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Pod patchedPod(ObjectNode review, JsonNode response) {
        try {
            return MAPPER.treeToValue(patchedPodJson(review, response), Pod.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same review, now carrying the pod the patch produced (a re-invocation). */
    static ObjectNode withPod(ObjectNode review, JsonNode pod) {
        ObjectNode copy = review.deepCopy();
        ((ObjectNode) copy.get("request")).set("object", pod);
        return copy;
    }
}
