package dev.wasmbind.demo.image;

import io.vertx.grpc.common.GrpcStatus;

/** The sidecar answered a binding call with an error status (e.g. the program failed). */
public final class BindingCallException extends RuntimeException {

    private final GrpcStatus status;

    public BindingCallException(GrpcStatus status, String message) {
        super(status.name() + ": " + (message == null ? "(no message)" : message));
        this.status = status;
    }

    public GrpcStatus status() {
        return status;
    }
}
