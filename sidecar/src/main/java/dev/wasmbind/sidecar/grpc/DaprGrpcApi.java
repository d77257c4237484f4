package dev.wasmbind.sidecar.grpc;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.binding.CallException;
import dev.wasmbind.sidecar.binding.CallOutcome;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dapr's gRPC API ({@code dapr.proto.runtime.v1.Dapr}) for output bindings, as far as this sidecar
 * serves it: {@code InvokeBinding} and {@code GetMetadata}, on the same invoker as the HTTP API
 * (limits, permits, worker pool, timeouts and metrics are one code path). Other methods answer
 * {@code UNIMPLEMENTED}.
 *
 * <p>As daprd does on gRPC, {@code data} reaches STDIN as the request's bytes (never JSON-encoded)
 * and errors carry {@code error invoking output binding NAME: …} with an {@code ErrorInfo} detail
 * ({@code ERR_INVOKE_OUTPUT_BINDING}, domain {@code dapr.io}).
 *
 * <p>The messages are read and written by {@link InvokeBindingWire} and {@link GetMetadataWire},
 * never by Dapr's generated classes: those build the descriptors of the whole Dapr API on first
 * use, and the sidecar does not ship them.
 */
public final class DaprGrpcApi {

    private static final Logger LOG = LoggerFactory.getLogger(DaprGrpcApi.class);

    static final String SERVICE = "dapr.proto.runtime.v1.Dapr";
    static final String ERR_INVOKE_OUTPUT_BINDING = "ERR_INVOKE_OUTPUT_BINDING";
    static final String ERROR_DOMAIN = "dapr.io";
    static final String ARGS = "args";
    private static final String STATUS_DETAILS = "grpc-status-details-bin";

    static final ServiceMethod<InvokeBindingWire.Request, byte[]> INVOKE_BINDING =
            ServiceMethod.server(
                    ServiceName.create(SERVICE),
                    "InvokeBinding",
                    InvokeBindingWire.RESPONSE_ENCODER,
                    InvokeBindingWire.REQUEST_DECODER);

    static final ServiceMethod<GetMetadataWire.Request, GetMetadataWire.Response> GET_METADATA =
            ServiceMethod.server(
                    ServiceName.create(SERVICE),
                    "GetMetadata",
                    GetMetadataWire.RESPONSE_ENCODER,
                    GetMetadataWire.REQUEST_DECODER);

    private final BindingRegistry registry;
    private final BindingInvoker invoker;
    private final BindingMetrics metrics;
    private final String appId;

    public DaprGrpcApi(
            BindingRegistry registry,
            BindingInvoker invoker,
            BindingMetrics metrics,
            String appId) {
        this.registry = registry;
        this.invoker = invoker;
        this.metrics = metrics;
        this.appId = appId;
    }

    /** Registers this API's methods on {@code server}. */
    public GrpcServer register(GrpcServer server) {
        server.callHandler(INVOKE_BINDING, this::handleInvokeBinding);
        server.callHandler(GET_METADATA, this::handleGetMetadata);
        return server;
    }

    private void handleInvokeBinding(GrpcServerRequest<InvokeBindingWire.Request, byte[]> request) {
        long started = System.nanoTime();
        request.handler(message -> invoke(request, message, started));
    }

    private void invoke(
            GrpcServerRequest<InvokeBindingWire.Request, byte[]> request,
            InvokeBindingWire.Request message,
            long started) {
        String name = message.name();
        GrpcServerResponse<InvokeBindingWire.Request, byte[]> response = request.response();
        int size = message.data().size();
        long limit = maxRequestBytes(name);
        if (size > limit) {
            fail(
                    response,
                    name,
                    new CallException(
                            CallOutcome.REQUEST_TOO_LARGE,
                            "request data of "
                                    + size
                                    + " bytes is larger than limits.maxRequestBytes ("
                                    + limit
                                    + " bytes)"),
                    started);
            return;
        }
        Binding.Ready binding;
        try {
            binding = invoker.lookup(name, message.operation());
        } catch (CallException e) {
            fail(response, name, e, started);
            return;
        }
        Context context = Vertx.currentContext();
        List<String> args = args(message, request);
        // The data is copied out of the message on the worker, not on the event loop.
        invoker.invoke(
                        binding,
                        () -> new BindingInvoker.GuestInput(message.data().toByteArray(), args))
                .whenComplete(
                        (stdout, error) ->
                                context.runOnContext(
                                        v -> {
                                            if (error == null) {
                                                succeed(response, name, stdout, started);
                                            } else {
                                                fail(response, name, callException(error), started);
                                            }
                                        }));
    }

    /**
     * {@code metadata.args} split on {@code ","}. Like daprd, a gRPC header fills a metadata key
     * the request does not set, so an {@code args} header counts too.
     */
    static List<String> args(
            InvokeBindingWire.Request message,
            GrpcServerRequest<InvokeBindingWire.Request, byte[]> request) {
        String args = message.metadata().get(ARGS);
        if (args == null) {
            args = request.headers().get(ARGS);
        }
        return args == null || args.isEmpty() ? List.of() : List.of(args.split(",", -1));
    }

    private long maxRequestBytes(String name) {
        return registry.get(name)
                .filter(Binding.Ready.class::isInstance)
                .map(b -> ((Binding.Ready) b).maxRequestBytes())
                .orElse(Limits.DEFAULT_MAX_REQUEST_BYTES);
    }

    private void succeed(
            GrpcServerResponse<InvokeBindingWire.Request, byte[]> response,
            String name,
            byte[] stdout,
            long started) {
        response.end(stdout);
        record(name, CallOutcome.SUCCESS, started);
    }

    private void fail(
            GrpcServerResponse<InvokeBindingWire.Request, byte[]> response,
            String name,
            CallException error,
            long started) {
        GrpcStatus status = statusOf(error.outcome());
        String message = "error invoking output binding " + name + ": " + error.getMessage();
        response.status(status).statusMessage(message);
        response.trailers().set(STATUS_DETAILS, statusDetails(status, message));
        response.end();
        record(name, error.outcome(), started);
        LOG.atInfo()
                .addKeyValue("binding", name)
                .addKeyValue("outcome", error.outcome().label())
                .addKeyValue("grpcStatus", status.name())
                .log("call failed: {}", message);
    }

    /**
     * daprd answers {@code INTERNAL} for every failed binding call. Where the HTTP API departs from
     * daprd's 500 (413, 429, 504), gRPC departs the same way with the codes clients and retry
     * policies know: {@code RESOURCE_EXHAUSTED} and {@code DEADLINE_EXCEEDED}.
     */
    static GrpcStatus statusOf(CallOutcome outcome) {
        return switch (outcome) {
            case SUCCESS -> GrpcStatus.OK;
            case REQUEST_TOO_LARGE, BUSY -> GrpcStatus.RESOURCE_EXHAUSTED;
            case TIMEOUT -> GrpcStatus.DEADLINE_EXCEEDED;
            // HTTP's 503: the sidecar's guest-memory budget is spent for now.
            case OVERLOADED -> GrpcStatus.UNAVAILABLE;
            case MALFORMED_REQUEST,
                    NOT_FOUND,
                    NOT_LOADED,
                    UNSUPPORTED_OPERATION,
                    EXIT,
                    TRAP,
                    RESPONSE_TOO_LARGE,
                    MEMORY_LIMIT ->
                    GrpcStatus.INTERNAL;
        };
    }

    /**
     * daprd's rich error: a {@code google.rpc.Status} with an {@code ErrorInfo}, base64 on the
     * wire.
     */
    static String statusDetails(GrpcStatus status, String message) {
        byte[] details =
                InvokeBindingWire.statusDetails(
                        status.code, message, ERR_INVOKE_OUTPUT_BINDING, ERROR_DOMAIN);
        return Base64.getEncoder().withoutPadding().encodeToString(details);
    }

    private void record(String name, CallOutcome outcome, long started) {
        String label = registry.get(name).isPresent() ? name : BindingMetrics.UNKNOWN_BINDING;
        metrics.record(label, outcome, Duration.ofNanos(System.nanoTime() - started));
    }

    private static CallException callException(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CallException call) {
            return call;
        }
        return new CallException(CallOutcome.TRAP, "wasm error: " + cause);
    }

    /** daprd's metadata shape: every loaded binding is a {@code bindings.wasm} component. */
    private void handleGetMetadata(
            GrpcServerRequest<GetMetadataWire.Request, GetMetadataWire.Response> request) {
        request.handler(
                ignored -> {
                    List<GetMetadataWire.Component> components = new ArrayList<>();
                    for (Binding binding : registry.all()) {
                        if (binding instanceof Binding.Ready ready) {
                            components.add(
                                    new GetMetadataWire.Component(
                                            ready.name(), "bindings.wasm", "v1"));
                        }
                    }
                    request.response()
                            .end(new GetMetadataWire.Response(appId, "wasmbind", components));
                });
    }
}
