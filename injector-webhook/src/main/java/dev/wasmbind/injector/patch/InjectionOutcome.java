package dev.wasmbind.injector.patch;

/** What the injector decided for one pod; also the metric label. */
public enum InjectionOutcome {
    INJECTED,
    NOT_REQUESTED,
    ALREADY_INJECTED,
    DENIED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
