package dev.wasmbind.sidecar.http;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.binding.CallException;
import dev.wasmbind.sidecar.binding.CallOutcome;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dapr's HTTP API for output bindings, as far as this sidecar serves it: one route table, the body
 * limit and envelope decoding as chained handlers, and Dapr's error bodies.
 */
public final class DaprHttpApi {

    private static final Logger LOG = LoggerFactory.getLogger(DaprHttpApi.class);

    static final String ERR_MALFORMED_REQUEST = "ERR_MALFORMED_REQUEST";
    static final String ERR_INVOKE_OUTPUT_BINDING = "ERR_INVOKE_OUTPUT_BINDING";
    private static final String BODY = "wasmbind.body";
    private static final String STARTED = "wasmbind.started";
    private static final String JSON = "application/json";

    private final BindingRegistry registry;
    private final BindingInvoker invoker;
    private final BindingMetrics metrics;
    private final PrometheusMeterRegistry prometheus;
    private final String appId;
    // In-pod mode: not ready until the requested bindings are loaded; extra metadata sections.
    private BooleanSupplier ready = () -> true;
    private final Map<String, Supplier<Object>> metadataSections = new LinkedHashMap<>();
    private ServerLimits limits = ServerLimits.defaults();
    private RequestBytesBudget budget = new RequestBytesBudget(limits.requestBytesInFlight());
    private EnvelopeDecoder decoder = BindingRequest::parse;
    private final BodyArrayPool bodyArrays = new BodyArrayPool();

    /** Reads a request body into the envelope; tests wrap it to see where it runs. */
    @FunctionalInterface
    interface EnvelopeDecoder {
        BindingRequest decode(byte[] body, int offset, int length, boolean rawData)
                throws GoJsonException;
    }

    public DaprHttpApi(
            BindingRegistry registry,
            BindingInvoker invoker,
            BindingMetrics metrics,
            PrometheusMeterRegistry prometheus,
            String appId) {
        this.registry = registry;
        this.invoker = invoker;
        this.metrics = metrics;
        this.prometheus = prometheus;
        this.appId = appId;
    }

    /** {@code /v1.0/healthz} answers 204 only while {@code ready} holds (500 otherwise). */
    public DaprHttpApi withReadiness(BooleanSupplier ready) {
        this.ready = ready;
        return this;
    }

    /** Adds {@code key} to {@code /v1.0/metadata}, its value computed on every request. */
    public DaprHttpApi withMetadataSection(String key, Supplier<Object> section) {
        metadataSections.put(key, section);
        return this;
    }

    /** Timeouts and sizes of the server {@link #listen} starts, and the bytes of bodies held. */
    public DaprHttpApi withServerLimits(ServerLimits limits) {
        this.limits = limits;
        this.budget = new RequestBytesBudget(limits.requestBytesInFlight());
        return this;
    }

    /** Replaces the body decoder (tests). */
    DaprHttpApi withDecoder(EnvelopeDecoder decoder) {
        this.decoder = decoder;
        return this;
    }

    /** Starts the server on {@code host:port} (port 0 picks a free one). */
    public Future<HttpServer> listen(Vertx vertx, String host, int port) {
        HttpServer server =
                vertx.createHttpServer(
                        limits.applyTo(new HttpServerOptions().setHost(host).setPort(port)));
        return HeaderDeadline.install(vertx, server, limits.headerTimeout(), router(vertx))
                .listen();
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT)) {
            // The binary form first: only application/octet-stream requests take it.
            router.route(method, "/v1.0/bindings/:name")
                    .consumes(RawBindingRequest.CONTENT_TYPE)
                    .handler(this::readBoundedBody)
                    .handler(this::handleRawInvoke);
            router.route(method, "/v1.0/bindings/:name")
                    .handler(this::readBoundedBody)
                    .handler(this::handleInvoke);
        }
        router.get("/v1.0/healthz").handler(this::handleHealthz);
        router.get("/v1.0/healthz/outbound").handler(this::handleHealthz);
        router.get("/v1.0/metadata").handler(this::handleMetadata);
        router.get("/metrics").handler(this::handleMetrics);
        return router;
    }

    /** Health and metrics only: the routes the kubelet and Prometheus reach from outside. */
    public Router healthRouter(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/v1.0/healthz").handler(this::handleHealthz);
        router.get("/v1.0/healthz/outbound").handler(this::handleHealthz);
        router.get("/metrics").handler(this::handleMetrics);
        return router;
    }

    /**
     * Reads the body up to the binding's {@code limits.maxRequestBytes} (the default for names that
     * are not loaded), answering 413 as soon as it is exceeded; and within the bytes all requests
     * may hold at once, answering 503 beyond them. The bytes are held until the answer is sent.
     */
    private void readBoundedBody(RoutingContext ctx) {
        ctx.put(STARTED, System.nanoTime());
        String name = ctx.pathParam("name");
        long limit =
                registry.get(name)
                        .filter(Binding.Ready.class::isInstance)
                        .map(b -> ((Binding.Ready) b).maxRequestBytes())
                        .orElse(Limits.DEFAULT_MAX_REQUEST_BYTES);
        HttpServerRequest request = ctx.request();
        String declared = request.getHeader("Content-Length");
        long declaredLength = declared == null ? -1 : parseLong(declared);
        if (declaredLength > limit) {
            ctx.response().putHeader("Connection", "close");
            tooLarge(ctx, name, declaredLength, limit);
            return;
        }
        long[] reserved = {0};
        ctx.addEndHandler(v -> budget.release(reserved[0]));
        // A declared length is reserved at once, so that a slow sender cannot overdraw the budget.
        if (declaredLength > 0 && !reserve(ctx, name, reserved, declaredLength)) {
            return;
        }
        // curl sends "Expect: 100-continue" with bodies over 1 KiB and waits a second for the
        // go-ahead; daprd's Go server gives it when the body is read: so do we, once the declared
        // length has passed the checks above (a refused body is answered without it).
        if (request.version() == HttpVersion.HTTP_1_1
                && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            ctx.response().writeContinue();
        }
        // Chunks are copied straight into one array of the declared size (grown without one),
        // each only once it has passed the limits: the array never holds more than they allow.
        RequestBody body = new RequestBody(bodyArrays.take((int) Math.max(0, declaredLength)));
        request.handler(
                chunk -> {
                    if (ctx.response().ended()) {
                        return;
                    }
                    long received = (long) body.length() + chunk.length();
                    if (received > limit) {
                        ctx.response().putHeader("Connection", "close");
                        tooLarge(ctx, name, received, limit);
                    } else if (received <= reserved[0]
                            || reserve(ctx, name, reserved, received - reserved[0])) {
                        body.append(chunk);
                    }
                });
        request.endHandler(
                v -> {
                    if (!ctx.response().ended()) {
                        ctx.put(BODY, body);
                        ctx.next();
                    }
                });
        request.exceptionHandler(
                e -> LOG.debug("request body of {} failed: {}", name, e.toString()));
        request.resume();
    }

    private boolean reserve(RoutingContext ctx, String name, long[] reserved, long bytes) {
        if (budget.tryReserve(bytes)) {
            reserved[0] += bytes;
            return true;
        }
        ctx.response().putHeader("Connection", "close");
        fail(
                ctx,
                name,
                new CallException(
                        CallOutcome.OVERLOADED,
                        "the sidecar holds "
                                + budget.held()
                                + " bytes of request bodies, and "
                                + bytes
                                + " more would pass its limit of "
                                + budget.limit()
                                + " bytes; retry later"));
        return false;
    }

    private void tooLarge(RoutingContext ctx, String name, long size, long limit) {
        fail(
                ctx,
                name,
                new CallException(
                        CallOutcome.REQUEST_TOO_LARGE,
                        "request body of "
                                + (size > limit ? "at least " + size : size)
                                + " bytes is larger than limits.maxRequestBytes ("
                                + limit
                                + " bytes)"));
    }

    /**
     * The envelope is decoded and its {@code data} Go-encoded on the worker thread that then runs
     * the guest, after the binding's concurrency permit is taken: one hand-off from the event loop
     * and one back. daprd decodes before it looks the binding up, so a malformed body is a 400 for
     * an unknown binding too (decoded on a {@link BodyDecoders} thread without a permit, within the
     * budget of request bytes).
     */
    private void handleInvoke(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        RequestBody body = ctx.remove(BODY);
        Binding binding = registry.get(name).orElse(null);
        CompletableFuture<byte[]> call;
        if (binding instanceof Binding.Ready ready) {
            call =
                    invoker.invoke(
                            ready,
                            () -> {
                                BindingRequest envelope = decode(body, ready.rawData());
                                invoker.lookup(name, envelope.operation());
                                if (!envelope.readsFrom(body.bytes())) {
                                    body.release(bodyArrays); // STDIN is a copy
                                }
                                return envelope.guestInput();
                            });
        } else {
            call =
                    BodyDecoders.submit(
                            () -> {
                                invoker.lookup(name, decode(body, false).operation());
                                throw new IllegalStateException(name + " is not ready");
                            });
        }
        answer(ctx, name, call, JSON, body);
    }

    private BindingRequest decode(RequestBody body, boolean rawData) throws CallException {
        try {
            return decoder.decode(body.bytes(), 0, body.length(), rawData);
        } catch (GoJsonException e) {
            throw new CallException(CallOutcome.MALFORMED_REQUEST, e.getMessage());
        }
    }

    /** The binary form: the body is STDIN as it is (not copied). */
    private void handleRawInvoke(RoutingContext ctx) {
        RawBindingRequest raw = RawBindingRequest.of(ctx.request());
        RequestBody body = ctx.remove(BODY);
        String name = ctx.pathParam("name");
        Binding.Ready binding;
        try {
            binding = invoker.lookup(name, raw.operation());
        } catch (CallException e) {
            fail(ctx, name, e);
            return;
        }
        var input = new BindingInvoker.GuestInput(body.bytes(), 0, body.length(), raw.args());
        answer(
                ctx,
                name,
                invoker.invoke(binding, () -> input),
                RawBindingRequest.CONTENT_TYPE,
                body);
    }

    /**
     * Answers with the call's outcome. Once the guest has returned (success), nothing reads the
     * body any more and its array goes back to the pool; a failed call may have left a guest
     * running (a timeout), so its array is left to the garbage collector.
     */
    private void answer(
            RoutingContext ctx,
            String name,
            CompletableFuture<byte[]> call,
            String contentType,
            RequestBody body) {
        Context context = Vertx.currentContext();
        call.whenComplete(
                (stdout, error) ->
                        context.runOnContext(
                                v -> {
                                    if (error == null) {
                                        body.release(bodyArrays);
                                        succeed(ctx, name, stdout, contentType);
                                    } else {
                                        fail(ctx, name, callException(error));
                                    }
                                }));
    }

    private void succeed(RoutingContext ctx, String name, byte[] stdout, String contentType) {
        ctx.response()
                .setStatusCode(200)
                .putHeader("Content-Type", contentType)
                .end(Buffer.buffer(stdout));
        record(ctx, name, CallOutcome.SUCCESS, 200);
    }

    private void fail(RoutingContext ctx, String name, CallException error) {
        int status = statusOf(error.outcome());
        String code;
        String message;
        if (error.outcome() == CallOutcome.MALFORMED_REQUEST) {
            code = ERR_MALFORMED_REQUEST;
            message = "failed deserializing HTTP body: " + error.getMessage();
        } else {
            code = ERR_INVOKE_OUTPUT_BINDING;
            message = "error invoking output binding " + name + ": " + error.getMessage();
        }
        if (status == 429 || status == 503) {
            ctx.response().putHeader("Retry-After", "1");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorCode", code);
        body.put("message", message);
        if (!ctx.response().ended()) {
            ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(GoJsonEncoder.encode(body)));
        }
        record(ctx, name, error.outcome(), status);
        LOG.atInfo()
                .addKeyValue("binding", name)
                .addKeyValue("outcome", error.outcome().label())
                .addKeyValue("status", status)
                .log("call failed: {}", message);
    }

    static int statusOf(CallOutcome outcome) {
        return switch (outcome) {
            case SUCCESS -> 200;
            case MALFORMED_REQUEST -> 400;
            case REQUEST_TOO_LARGE -> 413;
            case BUSY -> 429;
            case TIMEOUT -> 504;
            case OVERLOADED -> 503;
            case NOT_FOUND,
                    NOT_LOADED,
                    UNSUPPORTED_OPERATION,
                    EXIT,
                    TRAP,
                    RESPONSE_TOO_LARGE,
                    MEMORY_LIMIT ->
                    500;
        };
    }

    private void record(RoutingContext ctx, String name, CallOutcome outcome, int status) {
        Long started = ctx.get(STARTED);
        Duration took =
                Duration.ofNanos(
                        System.nanoTime() - (started == null ? System.nanoTime() : started));
        String label = registry.get(name).isPresent() ? name : BindingMetrics.UNKNOWN_BINDING;
        metrics.record(label, outcome, took);
        if (!LOG.isDebugEnabled()) {
            return;
        }
        LOG.atDebug()
                .addKeyValue("binding", name)
                .addKeyValue("outcome", outcome.label())
                .addKeyValue("status", status)
                .addKeyValue("micros", took.toNanos() / 1000)
                .log("call");
    }

    private static CallException callException(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CallException call) {
            return call;
        }
        return new CallException(CallOutcome.TRAP, "wasm error: " + cause);
    }

    /**
     * Dapr answers 204 when healthy, 500 with ERR_HEALTH_NOT_READY before; 500 with
     * ERR_HEALTH_UNHEALTHY once guests that could not be stopped hold too many workers, so that the
     * liveness probe restarts the container.
     */
    private void handleHealthz(RoutingContext ctx) {
        Optional<String> unhealthy = invoker.unhealthyReason();
        if (unhealthy.isEmpty() && ready.getAsBoolean()) {
            ctx.response().setStatusCode(204).end();
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "errorCode",
                unhealthy.isPresent() ? "ERR_HEALTH_UNHEALTHY" : "ERR_HEALTH_NOT_READY");
        body.put("message", unhealthy.orElse("dapr is not ready"));
        ctx.response()
                .setStatusCode(500)
                .putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(GoJsonEncoder.encode(body)));
    }

    /** Dapr's metadata shape; bindings that failed to load are listed with their reason. */
    private void handleMetadata(RoutingContext ctx) {
        List<Object> components = new ArrayList<>();
        List<Object> bindings = new ArrayList<>();
        for (Binding binding : registry.all()) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("name", binding.name());
            status.put("url", binding.url());
            if (binding instanceof Binding.Ready ready) {
                components.add(
                        Map.of(
                                "name",
                                ready.name(),
                                "type",
                                "bindings.wasm",
                                "version",
                                "v1",
                                "capabilities",
                                List.of()));
                status.put("ready", Boolean.TRUE);
                status.put("digest", ready.digest());
            } else if (binding instanceof Binding.Failed failed) {
                status.put("ready", Boolean.FALSE);
                status.put("error", failed.reason());
            }
            bindings.add(status);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", appId);
        body.put("runtimeVersion", "wasmbind");
        body.put("enabledFeatures", List.of());
        body.put("actors", List.of());
        body.put("components", components);
        body.put("extended", Map.of());
        body.put("wasmBindings", bindings);
        metadataSections.forEach((key, section) -> body.put(key, section.get()));
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(GoJsonEncoder.encode(body)));
    }

    private void handleMetrics(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(prometheus.scrape());
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
