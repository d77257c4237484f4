package dev.wasmbind.injector.patch;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Every pod annotation the injector reads or writes: the one place these keys are spelled. */
public final class Annotations {

    public static final String PREFIX = "wasmbind.dev/";

    /** {@code "true"} (any case) opts the pod in. */
    public static final String INJECT = PREFIX + "inject";

    /** Comma-separated WasmBinding names the sidecar serves; all of the namespace when absent. */
    public static final String BINDINGS = PREFIX + "bindings";

    /** The sidecar's HTTP port (Dapr's API, on 127.0.0.1 only), 3500 by default. */
    public static final String PORT = PREFIX + "port";

    /**
     * The sidecar's health and metrics port (on all addresses, for the kubelet's probes and
     * Prometheus), 9464 by default.
     */
    public static final String HEALTH_PORT = PREFIX + "health-port";

    /** The sidecar's log level: trace, debug, info, warn or error. */
    public static final String LOG_LEVEL = PREFIX + "log-level";

    public static final String SIDECAR_CPU_REQUEST = PREFIX + "sidecar-cpu-request";
    public static final String SIDECAR_CPU_LIMIT = PREFIX + "sidecar-cpu-limit";
    public static final String SIDECAR_MEMORY_REQUEST = PREFIX + "sidecar-memory-request";
    public static final String SIDECAR_MEMORY_LIMIT = PREFIX + "sidecar-memory-limit";

    /** Written by the injector: the injector version that added the sidecar. */
    public static final String INJECTED = PREFIX + "injected";

    /** Every key a user may set, in the order the docs list them. */
    public static final List<String> USER_KEYS =
            List.of(
                    INJECT,
                    BINDINGS,
                    PORT,
                    HEALTH_PORT,
                    LOG_LEVEL,
                    SIDECAR_CPU_REQUEST,
                    SIDECAR_CPU_LIMIT,
                    SIDECAR_MEMORY_REQUEST,
                    SIDECAR_MEMORY_LIMIT);

    private static final Set<String> KNOWN_KEYS =
            Stream.concat(USER_KEYS.stream(), Stream.of(INJECTED)).collect(Collectors.toSet());

    private Annotations() {}

    /** True for keys under {@link #PREFIX} this version does not know (likely a typo). */
    public static boolean isUnknownWasmbindKey(String key) {
        return key.startsWith(PREFIX) && !KNOWN_KEYS.contains(key);
    }
}
