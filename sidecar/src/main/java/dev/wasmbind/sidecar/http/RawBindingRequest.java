package dev.wasmbind.sidecar.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * The opt-in binary form of a binding call, not in Dapr: {@code POST /v1.0/bindings/{name}} with
 * {@code Content-Type: application/octet-stream}. The body is the guest's STDIN as it is (no JSON
 * envelope, no encoding), the operation is the {@code operation} query parameter ({@code execute}
 * when absent) and the arguments are the {@code metadata.args} query parameter, split on {@code
 * ","} like the envelope's {@code metadata.args}. STDOUT comes back as {@code
 * application/octet-stream}.
 *
 * @param operation the operation to invoke
 * @param args the request's arguments, after the binding's own
 */
public record RawBindingRequest(String operation, List<String> args) {

    public static final String CONTENT_TYPE = "application/octet-stream";
    static final String OPERATION_PARAM = "operation";
    static final String ARGS_PARAM = "metadata.args";
    private static final String DEFAULT_OPERATION = "execute";

    /** Reads the operation and arguments from the request's query. */
    public static RawBindingRequest of(HttpServerRequest request) {
        String operation = request.getParam(OPERATION_PARAM);
        String args = request.getParam(ARGS_PARAM, "");
        return new RawBindingRequest(
                operation == null || operation.isEmpty() ? DEFAULT_OPERATION : operation,
                args.isEmpty() ? List.of() : List.of(args.split(",", -1)));
    }
}
