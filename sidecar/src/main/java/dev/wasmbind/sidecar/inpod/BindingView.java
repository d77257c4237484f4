package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.sidecar.spec.WasmBindingSpecReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** Ignores fields it does not know: the operator may be newer than this sidecar. */
    private static final WasmBindingSpecReader SPEC_READER =
            WasmBindingSpecReader.ignoringUnknownFields();

    /**
     * One binding of the view.
     *
     * @param name the binding's name
     * @param ready true when {@code digest} and {@code spec} are to be served
     * @param phase the binding's phase when not ready ({@code Failed}, {@code NotFound}, …)
     * @param digest {@code sha256:<hex>} of the module, when ready
     * @param size the module's size in bytes, when ready (0 when unknown)
     * @param spec the WasmBinding's spec as sent (plain JSON values), when ready
     * @param message what the operator says about it
     */
    public record Entry(
            String name,
            boolean ready,
            String phase,
            String digest,
            long size,
            Map<?, ?> spec,
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

        /** The spec, read again each time: callers may change what they get. */
        public WasmBindingSpec toSpec() {
            return SPEC_READER.read(spec);
        }

        /** The spec's url, or "" when not ready. */
        public String url() {
            return spec == null ? "" : text(spec.get("url"));
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
        Object root;
        try {
            root = JsonValues.read(json);
        } catch (IOException e) {
            throw new InvalidViewException("the binding view is not JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> view)) {
            throw new InvalidViewException("the binding view is not a JSON object", null);
        }
        String revision = text(view.get("revision"));
        if (revision.isEmpty()) {
            throw new InvalidViewException("the binding view has no revision", null);
        }
        Object bindings = view.get("bindings");
        if (bindings != null && !(bindings instanceof List)) {
            throw new InvalidViewException("the binding view's bindings are not a list", null);
        }
        List<Entry> entries = new ArrayList<>();
        for (Object binding : bindings == null ? List.of() : (List<?>) bindings) {
            entries.add(entry(binding instanceof Map<?, ?> fields ? fields : Map.of()));
        }
        return new BindingView(text(view.get("namespace")), revision, entries, json);
    }

    private static Entry entry(Map<?, ?> binding) throws InvalidViewException {
        String name = text(binding.get("name"));
        if (name.isEmpty()) {
            throw new InvalidViewException("a binding of the view has no name", null);
        }
        boolean ready = Boolean.TRUE.equals(binding.get("ready"));
        String phase = binding.get("phase") == null ? null : text(binding.get("phase"));
        String message = binding.get("message") == null ? null : text(binding.get("message"));
        if (!ready) {
            return new Entry(name, false, phase, null, 0, null, message);
        }
        String digest = text(binding.get("digest"));
        Object spec = binding.get("spec");
        try {
            Digests.normalizeSha256(digest);
            if (!digest.startsWith("sha256:")) {
                throw new IllegalArgumentException("'" + digest + "' lacks the sha256: prefix");
            }
            if (!(spec instanceof Map<?, ?> fields) || text(fields.get("url")).isEmpty()) {
                throw new IllegalArgumentException("its spec or spec.url is missing");
            }
            SPEC_READER.read(spec);
        } catch (IllegalArgumentException e) {
            throw new InvalidViewException(
                    "binding " + name + " of the view is invalid: " + e.getMessage(), e);
        }
        long size = binding.get("size") instanceof Number number ? number.longValue() : 0;
        return new Entry(name, true, phase, digest, size, (Map<?, ?>) spec, message);
    }

    /** A scalar's text, "" for null, a list or an object. */
    private static String text(Object value) {
        return value instanceof String || value instanceof Boolean || value instanceof Number
                ? value.toString()
                : "";
    }
}
