package dev.wasmbind.sidecar.runtime;

/** A call whose guest did not finish normally; the message says why in Dapr's words. */
public final class GuestFailure extends Exception {

    /** How the guest ended. */
    public enum Kind {
        /** It exited with a non-zero code. */
        EXIT,
        /** It trapped (unreachable, out-of-bounds access, stack overflow...). */
        TRAP,
        /** It wrote more STDOUT than {@code limits.maxResponseBytes}. */
        RESPONSE_TOO_LARGE,
        /** Its memory cannot fit under {@code limits.maxMemory}. */
        MEMORY_LIMIT,
        /** The sidecar cannot run it now (its memory budget is taken); retry later. */
        OVERLOADED,
        /** It was interrupted: the timeout, or the sidecar shutting down. */
        INTERRUPTED
    }

    private final Kind kind;

    public GuestFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
