package dev.wasmbind.sidecar.inpod;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The module service's answer to {@code GET /v1/namespaces/{ns}/bindings} (docs/module-service.md):
 * the bindings of a namespace with their digest and spec, or why they are not ready.
 *
 * @param namespace the namespace
 * @param revision a hash of the view's content (the ETag)
 * @param bindings one entry per binding
 * @param json the view as received, written to the modules dir once applied
 */
public record BindingView(String namespace, String revision, List<Entry> bindings, byte[] json) {

    /** Phases after which waiting does not help: they count as loaded for readiness. */
    static final List<String> DEFINITIVE_PHASES = List.of("Failed", "NotFound");

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One binding of the view.
     *
     * @param name the binding's name
     * @param ready true when {@code digest} and {@code spec} are to be served
     * @param phase the binding's phase when not ready ({@code Failed}, {@code NotFound}, …)
     * @param digest {@code sha256:<hex>} of the module, when ready
     * @param size the module's size in bytes, when ready (0 when unknown)
     * @param spec the WasmBinding's spec as stored, when ready
     * @param message what the operator says about it
     */
    public record Entry(
            String name,
            boolean ready,
            String phase,
            String digest,
            long size,
            JsonNode spec,
            String message) {

        /** Lowercase hex of {@link #digest}. */
        public String sha256() {
            return Digests.normalizeSha256(digest);
        }

        /** A failure that waiting will not fix ({@code Failed}, {@code NotFound}). */
        public boolean definitive() {
            return !ready && DEFINITIVE_PHASES.contains(phase);
        }

        /** Why calls to a binding that is not ready fail, for Dapr's error body. */
        public String reason() {
            String why = message == null || message.isBlank() ? "no reason given" : message;
            return (phase == null ? "not ready" : phase) + ": " + why;
        }

        public WasmBindingSpec toSpec() throws IOException {
            return JSON.treeToValue(spec, WasmBindingSpec.class);
        }

        /** Same module and settings: nothing to reload. */
        boolean sameAs(Entry other) {
            if (other == null || ready != other.ready) {
                return false;
            }
            return ready
                    ? digest.equals(other.digest) && spec.equals(other.spec)
                    : java.util.Objects.equals(phase, other.phase)
                            && java.util.Objects.equals(message, other.message);
        }
    }

    /** Thrown for a view that does not follow the protocol. */
    public static final class InvalidViewException extends IOException {
        InvalidViewException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Parses a view; checks what the sidecar relies on (names, digests, specs of ready ones). */
    public static BindingView parse(byte[] json) throws InvalidViewException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new InvalidViewException("the binding view is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidViewException("the binding view is not a JSON object", null);
        }
        String revision = root.path("revision").asText("");
        if (revision.isEmpty()) {
            throw new InvalidViewException("the binding view has no revision", null);
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode node : root.path("bindings")) {
            entries.add(entry(node));
        }
        return new BindingView(root.path("namespace").asText(""), revision, entries, json);
    }

    private static Entry entry(JsonNode node) throws InvalidViewException {
        String name = node.path("name").asText("");
        if (name.isEmpty()) {
            throw new InvalidViewException("a binding of the view has no name", null);
        }
        boolean ready = node.path("ready").asBoolean(false);
        String phase = node.hasNonNull("phase") ? node.get("phase").asText() : null;
        String message = node.hasNonNull("message") ? node.get("message").asText() : null;
        if (!ready) {
            return new Entry(name, false, phase, null, 0, null, message);
        }
        String digest = node.path("digest").asText("");
        JsonNode spec = node.get("spec");
        try {
            Digests.normalizeSha256(digest);
            if (!digest.startsWith("sha256:")) {
                throw new IllegalArgumentException("'" + digest + "' lacks the sha256: prefix");
            }
            if (spec == null || !spec.isObject() || spec.path("url").asText("").isEmpty()) {
                throw new IllegalArgumentException("its spec or spec.url is missing");
            }
            JSON.treeToValue(spec, WasmBindingSpec.class);
        } catch (IllegalArgumentException | IOException e) {
            throw new InvalidViewException(
                    "binding " + name + " of the view is invalid: " + e.getMessage(), e);
        }
        return new Entry(name, true, phase, digest, node.path("size").asLong(0), spec, message);
    }
}
