package dev.wasmbind.module.validate;

import java.util.Map;
import java.util.Set;

/**
 * Host modules the sidecar offers besides WASI preview 1: the 2023 wasi-http preview ABI that
 * Dapr's wasm binding offers for outbound HTTP (import modules {@code types}, {@code streams},
 * {@code default-outgoing-HTTP}). The validator accepts imports of exactly these functions, and the
 * sidecar implements exactly these.
 */
public final class HostModules {

    public static final Map<String, Set<String>> WASI_HTTP_2023 =
            Map.of(
                    "types",
                    Set.of(
                            "new-outgoing-request",
                            "new-fields",
                            "drop-fields",
                            "fields-entries",
                            "drop-outgoing-request",
                            "outgoing-request-write",
                            "drop-incoming-response",
                            "incoming-response-status",
                            "incoming-response-headers",
                            "incoming-response-consume",
                            "future-incoming-response-get",
                            "incoming-request-method",
                            "incoming-request-path",
                            "incoming-request-authority",
                            "incoming-request-headers",
                            "incoming-request-consume",
                            "drop-incoming-request",
                            "set-response-outparam",
                            "new-outgoing-response",
                            "outgoing-response-write",
                            "drop-outgoing-response",
                            "log-it"),
                    "streams",
                    Set.of("read", "drop-input-stream", "write"),
                    "default-outgoing-HTTP",
                    Set.of("request", "handle"));

    private HostModules() {}
}
