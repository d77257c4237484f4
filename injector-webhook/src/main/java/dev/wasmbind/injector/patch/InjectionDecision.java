package dev.wasmbind.injector.patch;

import java.util.List;

/**
 * The injector's answer for one pod.
 *
 * @param patch the operations to apply; empty unless {@link InjectionOutcome#INJECTED}
 * @param warnings shown to the user by kubectl (unknown keys, kept volumes, ...)
 * @param message why: the denial reason, or what happened, for logs and the review's status
 * @param deniedAnnotation the annotation at fault when {@link InjectionOutcome#DENIED}, else null
 */
public record InjectionDecision(
        InjectionOutcome outcome,
        List<JsonPatchOperation> patch,
        List<String> warnings,
        String message,
        String deniedAnnotation) {

    static InjectionDecision unchanged(
            InjectionOutcome outcome, List<String> warnings, String message) {
        return new InjectionDecision(outcome, List.of(), warnings, message, null);
    }

    static InjectionDecision denied(InvalidAnnotationException e, List<String> warnings) {
        return new InjectionDecision(
                InjectionOutcome.DENIED, List.of(), warnings, e.getMessage(), e.annotation());
    }

    public InjectionDecision {
        patch = List.copyOf(patch);
        warnings = List.copyOf(warnings);
    }

    public boolean allowed() {
        return outcome != InjectionOutcome.DENIED;
    }
}
