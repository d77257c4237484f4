package dev.wasmbind.operator.metrics;

/** How one reconcile of a WasmBinding ended; counted as {@code wasmbind_reconciles_total}. */
public enum ReconcileOutcome {
    /** A new spec: "Fetching" written, the fetch follows at once. */
    FETCHING("fetching"),
    /** The module was fetched, validated and stored; the binding is Ready. */
    READY("ready"),
    /** Ready for this generation and no refresh due: nothing to do. */
    UNCHANGED("unchanged"),
    /** Fetch, validation or store failed and nothing usable is served. */
    FAILED("failed"),
    /** A refresh failed; the last good digest stays Ready. */
    REFRESH_FAILED("refresh_failed"),
    /** The spec cannot be acted on until it changes. */
    INVALID_SPEC("invalid_spec");

    private final String tag;

    ReconcileOutcome(String tag) {
        this.tag = tag;
    }

    /** The value of the {@code outcome} tag. */
    public String tag() {
        return tag;
    }
}
