package dev.wasmbind.operator.moduleservice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Digests;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one caller sees of its namespace: the bindings it asked for, as the JSON of {@code GET
 * /v1/namespaces/{namespace}/bindings}, and the revision of that content (its ETag).
 *
 * @param namespace the namespace
 * @param revision a hash of the bindings' JSON: equal views have equal revisions
 * @param json the whole answer
 */
public record BindingView(String namespace, String revision, byte[] json) {

    /** Phase reported for a name asked for that has no WasmBinding. */
    public static final String NOT_FOUND = "NotFound";

    /** Hex characters of the SHA-256 kept in a revision (128 bits). */
    static final int REVISION_LENGTH = 32;

    // fabric8's mapper: the spec serialises exactly as the API server stores it.
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    /**
     * Renders the view.
     *
     * @param bindings the namespace's bindings by name, in name order
     * @param names the names asked for, in the caller's order; empty: all of the namespace
     */
    public static BindingView render(
            String namespace, Map<String, WasmBinding> bindings, Optional<List<String>> names) {
        ArrayNode array = JSON.createArrayNode();
        if (names.isPresent()) {
            for (String name : names.get()) {
                WasmBinding binding = bindings.get(name);
                array.add(binding == null ? notFound(namespace, name) : entry(binding));
            }
        } else {
            bindings.values().forEach(binding -> array.add(entry(binding)));
        }
        try {
            String revision =
                    Digests.sha256Hex(JSON.writeValueAsBytes(array)).substring(0, REVISION_LENGTH);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("namespace", namespace);
            answer.put("revision", revision);
            answer.set("bindings", array);
            return new BindingView(namespace, revision, JSON.writeValueAsBytes(answer));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ready: the status is Ready with a digest, for the binding's current generation. Anything else
     * is listed with its phase and the operator's message, so the sidecar can give the reason.
     */
    static ObjectNode entry(WasmBinding binding) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", binding.getMetadata().getName());
        WasmBindingStatus status = binding.getStatus();
        long generation =
                binding.getMetadata().getGeneration() == null
                        ? 0
                        : binding.getMetadata().getGeneration();
        boolean current =
                status != null
                        && status.getObservedGeneration() != null
                        && status.getObservedGeneration() == generation;
        if (current
                && status.getPhase() == Phase.Ready
                && status.getDigest() != null
                && binding.getSpec() != null) {
            node.put("ready", true);
            node.put("digest", status.getDigest());
            if (status.getSize() != null) {
                node.put("size", status.getSize());
            }
            node.put("url", binding.getSpec().getUrl());
            node.set("spec", JSON.valueToTree(binding.getSpec()));
            node.put("message", status.getMessage());
            return node;
        }
        node.put("ready", false);
        if (!current) {
            node.put("phase", Phase.Pending.name());
            node.put("message", "waiting for the operator to reconcile generation " + generation);
        } else {
            node.put(
                    "phase",
                    status.getPhase() == null ? Phase.Pending.name() : status.getPhase().name());
            node.put(
                    "message",
                    status.getMessage() == null ? "no status message yet" : status.getMessage());
        }
        return node;
    }

    static ObjectNode notFound(String namespace, String name) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", name);
        node.put("ready", false);
        node.put("phase", NOT_FOUND);
        node.put("message", "no WasmBinding named " + name + " in namespace " + namespace);
        return node;
    }
}
