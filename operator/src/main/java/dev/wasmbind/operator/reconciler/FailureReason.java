package dev.wasmbind.operator.reconciler;

import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.validate.InvalidModuleException;

/**
 * Why a binding cannot be served, with the condition reason and the Warning event reason Kubernetes
 * shows for it. The sources' and validator's reasons map here explicitly.
 */
public enum FailureReason {
    INVALID_SPEC("InvalidSpec", Stage.SPEC),
    UNSUPPORTED_SCHEME("UnsupportedScheme", Stage.FETCH),
    REFUSED("Refused", Stage.FETCH),
    BLOCKED_ADDRESS("BlockedAddress", Stage.FETCH),
    NOT_FOUND("NotFound", Stage.FETCH),
    AUTH_FAILED("AuthFailed", Stage.FETCH),
    TIMEOUT("Timeout", Stage.FETCH),
    FETCH_TOO_LARGE("TooLarge", Stage.FETCH),
    DIGEST_MISMATCH("DigestMismatch", Stage.FETCH),
    BAD_RESPONSE("BadResponse", Stage.FETCH),
    IO_ERROR("IoError", Stage.FETCH),
    NOT_WASM("NotWasm", Stage.MODULE),
    COMPONENT("Component", Stage.MODULE),
    MALFORMED("Malformed", Stage.MODULE),
    MISSING_EXPORT("MissingExport", Stage.MODULE),
    UNSUPPORTED_IMPORT("UnsupportedImport", Stage.MODULE),
    MODULE_TOO_LARGE("ModuleTooLarge", Stage.MODULE),
    MODULE_LIMIT_EXCEEDED("ModuleLimitExceeded", Stage.MODULE),
    CACHE_ERROR("CacheError", Stage.STORE),
    /** An exception no step expected: reported, retried, never left in Fetching. */
    INTERNAL_ERROR("InternalError", Stage.FETCH);

    /** Where the failure happened; decides the event reason and the Validated condition. */
    public enum Stage {
        SPEC("InvalidSpec"),
        FETCH("FetchFailed"),
        MODULE("InvalidModule"),
        STORE("FetchFailed");

        private final String eventReason;

        Stage(String eventReason) {
            this.eventReason = eventReason;
        }
    }

    private final String conditionReason;
    private final Stage stage;

    FailureReason(String conditionReason, Stage stage) {
        this.conditionReason = conditionReason;
        this.stage = stage;
    }

    /** The reason on the Fetched/Validated/Ready conditions, e.g. {@code NotFound}. */
    public String conditionReason() {
        return conditionReason;
    }

    /** The reason of the Warning event: InvalidSpec, FetchFailed or InvalidModule. */
    public String eventReason() {
        return stage.eventReason;
    }

    public Stage stage() {
        return stage;
    }

    /** True when a module was fetched but refused: Fetched stays True, Validated turns False. */
    public boolean moduleRefused() {
        return stage == Stage.MODULE;
    }

    public static FailureReason of(FetchException.Reason reason) {
        return switch (reason) {
            case UNSUPPORTED_SCHEME -> UNSUPPORTED_SCHEME;
            case REFUSED -> REFUSED;
            case BLOCKED_ADDRESS -> BLOCKED_ADDRESS;
            case NOT_FOUND -> NOT_FOUND;
            case AUTH_FAILED -> AUTH_FAILED;
            case TIMEOUT -> TIMEOUT;
            case TOO_LARGE -> FETCH_TOO_LARGE;
            case DIGEST_MISMATCH -> DIGEST_MISMATCH;
            case BAD_RESPONSE -> BAD_RESPONSE;
            case IO_ERROR -> IO_ERROR;
        };
    }

    public static FailureReason of(InvalidModuleException.Reason reason) {
        return switch (reason) {
            case TOO_LARGE -> MODULE_TOO_LARGE;
            case NOT_WASM -> NOT_WASM;
            case COMPONENT -> COMPONENT;
            case MALFORMED -> MALFORMED;
            case MISSING_EXPORT -> MISSING_EXPORT;
            case UNSUPPORTED_IMPORT -> UNSUPPORTED_IMPORT;
            case LIMIT_EXCEEDED -> MODULE_LIMIT_EXCEEDED;
        };
    }
}
