package dev.wasmbind.injector.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.injector.patch.InjectionDecision;
import dev.wasmbind.injector.patch.InjectionOutcome;
import dev.wasmbind.injector.patch.PatchJson;
import dev.wasmbind.injector.patch.SidecarInjector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an AdmissionReview v1 body into the reply the API server expects. A review it can read
 * always gets a review back (allowed unless a pod's annotation is invalid); a body that is not a
 * review gets HTTP 400 with the reason. It never throws on bad input.
 */
public final class AdmissionReviewHandler {

    public static final String API_VERSION = "admission.k8s.io/v1";

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviewHandler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Function<Pod, InjectionDecision> injector;
    private final AdmissionMetrics metrics;

    AdmissionReviewHandler(SidecarInjector injector, AdmissionMetrics metrics) {
        this(injector::decide, metrics);
    }

    /** With any decision function: tests hand in one that fails. */
    AdmissionReviewHandler(Function<Pod, InjectionDecision> injector, AdmissionMetrics metrics) {
        this.injector = injector;
        this.metrics = metrics;
    }

    /** An HTTP answer: status, content type and body. */
    public record Reply(int status, String contentType, byte[] body) {
        static Reply error(String message) {
            return new Reply(
                    400,
                    "text/plain; charset=utf-8",
                    (message + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    public Reply handle(byte[] body) {
        long start = System.nanoTime();
        try {
            return answer(body);
        } finally {
            metrics.latency(System.nanoTime() - start);
        }
    }

    private Reply answer(byte[] body) {
        JsonNode review;
        try {
            review = MAPPER.readTree(body);
        } catch (IOException e) {
            return malformed("the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (review == null || !review.isObject()) {
            return malformed("the body is not a JSON object");
        }
        if (!"AdmissionReview".equals(review.path("kind").asText())
                || !API_VERSION.equals(review.path("apiVersion").asText())) {
            return malformed(
                    "expected kind AdmissionReview with apiVersion "
                            + API_VERSION
                            + ", got kind \""
                            + review.path("kind").asText()
                            + "\" apiVersion \""
                            + review.path("apiVersion").asText()
                            + "\" (set admissionReviewVersions: [v1] in the webhook configuration)");
        }
        JsonNode request = review.path("request");
        String uid = request.path("uid").asText("");
        if (!request.isObject() || uid.isEmpty()) {
            return malformed("the AdmissionReview has no request.uid");
        }
        String operation = request.path("operation").asText("unknown");
        metrics.review(operation);

        JsonNode kind = request.path("kind");
        if (!"Pod".equals(kind.path("kind").asText())
                || !kind.path("group").asText("").isEmpty()
                || !request.path("subResource").asText("").isEmpty()) {
            metrics.skipped("not-a-pod");
            String what =
                    kind.path("group").asText("")
                            + "/"
                            + kind.path("kind").asText("?")
                            + (request.path("subResource").asText("").isEmpty()
                                    ? ""
                                    : " subresource " + request.path("subResource").asText());
            LOG.warn(
                    "Review {}: only Pods are mutated, got {}; check the webhook's rules",
                    uid,
                    what);
            return review(allowed(uid, "wasmbind injector only mutates Pods, got " + what));
        }
        if (!"CREATE".equals(operation)) {
            metrics.skipped("not-create");
            return review(allowed(uid, operation + " passes through; only CREATE is mutated"));
        }
        Pod pod;
        try {
            JsonNode object = request.path("object");
            if (!object.isObject()) {
                throw new IllegalArgumentException("request.object is missing");
            }
            pod = MAPPER.treeToValue(object, Pod.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            metrics.error("bad-object");
            String reason = "request.object is not a Pod: " + firstLine(e.getMessage());
            LOG.warn("Review {}: {}; allowed unchanged", uid, reason);
            return review(allowed(uid, reason));
        }
        try {
            return review(respond(uid, request, pod));
        } catch (RuntimeException e) {
            // A bug must not reach the HTTP layer: a 500 there lets the pod run without its
            // sidecar under failurePolicy Ignore. A denial names the failure instead.
            metrics.error("internal");
            LOG.error("Review {}: the injector failed; the pod is denied", uid, e);
            AdmissionResponse response = allowed(uid, "");
            response.setAllowed(false);
            response.setStatus(
                    new StatusBuilder()
                            .withCode(500)
                            .withReason("InternalError")
                            .withMessage(
                                    "wasmbind injector failed on this pod ("
                                            + e.getClass().getSimpleName()
                                            + ": "
                                            + firstLine(e.getMessage())
                                            + "); please report it with the pod's"
                                            + " wasmbind.dev/* annotations")
                            .build());
            return review(response);
        }
    }

    private AdmissionResponse respond(String uid, JsonNode request, Pod pod) {
        InjectionDecision decision = injector.apply(pod);
        String who = request.path("namespace").asText("") + "/" + podName(request, pod);
        AdmissionResponse response = allowed(uid, decision.message());
        response.setWarnings(decision.warnings().isEmpty() ? null : decision.warnings());
        switch (decision.outcome()) {
            case INJECTED -> {
                metrics.injected();
                response.setPatchType("JSONPatch");
                response.setPatch(
                        Base64.getEncoder().encodeToString(PatchJson.toBytes(decision.patch())));
                LOG.info("Injected the sidecar into pod {} (review {})", who, uid);
            }
            case DENIED -> {
                metrics.denied(decision.deniedAnnotation());
                response.setAllowed(false);
                response.setStatus(
                        new StatusBuilder()
                                .withCode(400)
                                .withReason("BadRequest")
                                .withMessage(decision.message())
                                .build());
                LOG.info("Denied pod {} (review {}): {}", who, uid, decision.message());
            }
            case NOT_REQUESTED, ALREADY_INJECTED -> {
                metrics.skipped(decision.outcome().label());
                LOG.debug("Pod {} unchanged (review {}): {}", who, uid, decision.message());
            }
        }
        if (decision.outcome() != InjectionOutcome.DENIED && !decision.warnings().isEmpty()) {
            LOG.info("Pod {} (review {}) warnings: {}", who, uid, decision.warnings());
        }
        return response;
    }

    private static String podName(JsonNode request, Pod pod) {
        String name = request.path("name").asText("");
        if (name.isEmpty() && pod.getMetadata() != null) {
            name =
                    pod.getMetadata().getName() != null
                            ? pod.getMetadata().getName()
                            : pod.getMetadata().getGenerateName() + "*";
        }
        return name;
    }

    private static AdmissionResponse allowed(String uid, String message) {
        AdmissionResponse response = new AdmissionResponse();
        response.setUid(uid);
        response.setAllowed(true);
        response.setStatus(new StatusBuilder().withCode(200).withMessage(message).build());
        return response;
    }

    private static Reply review(AdmissionResponse response) {
        AdmissionReview review = new AdmissionReview();
        review.setApiVersion(API_VERSION);
        review.setKind("AdmissionReview");
        review.setResponse(response);
        try {
            return new Reply(200, "application/json", MAPPER.writeValueAsBytes(review));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an AdmissionReview", e);
        }
    }

    private Reply malformed(String reason) {
        metrics.error("malformed");
        LOG.warn("Rejected a request body: {}", reason);
        return Reply.error("malformed AdmissionReview: " + reason);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
