package dev.wasmbind.injector.patch;

import java.util.List;

/**
 * The injector's answer for one pod.
 *
 * @param patch the operations to apply; empty unless {@link Outcome#INJECTED}
 * @param warnings shown to the user by kubectl (unknown keys, kept volumes, ...)
 * @param message why: the denial reason, or what happened, for logs and the review's status
 */
public record InjectionDecision(
        Outcome outcome, List<JsonPatchOperation> patch, List<String> warnings, String message) {

    public InjectionDecision {
        patch = List.copyOf(patch);
        warnings = List.copyOf(warnings);
    }

    public boolean allowed() {
        return outcome != Outcome.DENIED;
    }
}
