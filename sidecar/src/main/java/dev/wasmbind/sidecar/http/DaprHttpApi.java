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
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
    private static final String BINDINGS = "/v1.0/bindings/";
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
    private boolean directDispatch = true;
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

    /** Sends every request through the router, as {@link #directCall} must answer (tests). */
    DaprHttpApi withoutDirectDispatch() {
        this.directDispatch = false;
        return this;
    }

    /**
     * Starts the server on {@code host:port} (port 0 picks a free one). A plain binding call goes
     * straight to its handler ({@link #directCall}); every other request through the {@link
     * #router}, which answers them all the same way (404, 405 and 400 included).
     */
    public Future<HttpServer> listen(Vertx vertx, String host, int port) {
        HttpServer server = vertx.createHttpServer(limits.applyTo(ServerOptions.at(host, port)));
        HeaderDeadline deadline = HeaderDeadline.install(vertx, server, limits.headerTimeout());
        Router router = router(vertx);
        deadline.routeFirst(router);
        if (!directDispatch) {
            return server.requestHandler(router).listen();
        }
        return server.requestHandler(
                        request -> {
                            BindingExchange call = directCall(request);
                            if (call == null) {
                                router.handle(request);
                                return;
                            }
                            call.onEnd(deadline.requestRead(request));
                            HttpServerResponse response = request.response();
                            response.endHandler(v -> call.ended())
                                    .closeHandler(v -> call.ended())
                                    .exceptionHandler(e -> call.ended());
                            try {
                                readBoundedBody(call);
                            } catch (RuntimeException e) {
                                unexpected(call, e);
                            }
                        })
                .listen();
    }

    /**
     * The binding call {@code request} is, when the router would route it to a binding's handler
     * with this name and form; null when it is anything else or not plain enough to tell without
     * the router (which then answers it). Vert.x Web matches {@code /v1.0/bindings/:name} with a
     * regular expression on the normalized path, percent-decodes the name, and parses {@code
     * Content-Type} to pick the binary form: about a tenth of the event loop's time on a tiny call.
     * Here: POST or PUT with a valid authority (else the router's 400 or 405), a plain name ({@link
     * #plainBindingName}) and a plain form ({@link #plainForm}).
     */
    static BindingExchange directCall(HttpServerRequest request) {
        HttpMethod method = request.method();
        if (method != HttpMethod.POST && method != HttpMethod.PUT) {
            return null;
        }
        String name = plainBindingName(request.path());
        if (name == null || request.authority() == null) {
            return null;
        }
        Boolean binary = plainForm(request.getHeader(HttpHeaders.CONTENT_TYPE), request.query());
        return binary == null ? null : new BindingExchange(request, name, binary);
    }

    /**
     * The name in {@code /v1.0/bindings/{name}} or {@code /v1.0/bindings/{name}/} when Vert.x's
     * path normalization leaves the path unchanged and percent-decoding leaves the name unchanged:
     * no {@code %}, no {@code /}, not a dot segment; else null.
     */
    static String plainBindingName(String path) {
        if (path == null || !path.startsWith(BINDINGS)) {
            return null;
        }
        int start = BINDINGS.length();
        int end = path.length();
        if (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        if (end == start) {
            return null;
        }
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            if (c == '/' || c == '%') {
                return null;
            }
        }
        String name = path.substring(start, end);
        return name.equals(".") || name.equals("..") ? null : name;
    }

    /**
     * True for the binary form (exactly {@code application/octet-stream}), false for the envelope
     * ({@code Content-Type} absent or {@code application/json...}); null for any other type, whose
     * MIME matching the router decides, and for a query with something to percent-decode (the
     * router decodes it while matching, and answers 400 when it cannot).
     */
    static Boolean plainForm(String contentType, String query) {
        if (query != null && query.indexOf('%') >= 0) {
            return null;
        }
        if (contentType == null || contentType.startsWith(JSON)) {
            return Boolean.FALSE;
        }
        return contentType.equals(RawBindingRequest.CONTENT_TYPE) ? Boolean.TRUE : null;
    }

    /** Every route of the API; binding calls also come in without it ({@link #listen}). */
    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT)) {
            // The binary form first: only application/octet-stream requests take it.
            router.route(method, "/v1.0/bindings/:name")
                    .consumes(RawBindingRequest.CONTENT_TYPE)
                    .handler(ctx -> routed(ctx, true));
            router.route(method, "/v1.0/bindings/:name").handler(ctx -> routed(ctx, false));
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

    private void routed(RoutingContext ctx, boolean binary) {
        var call = new BindingExchange(ctx.request(), ctx.pathParam("name"), binary);
        ctx.addEndHandler(v -> call.ended());
        readBoundedBody(call);
    }

    /**
     * Reads the body up to the binding's {@code limits.maxRequestBytes} (the default for names that
     * are not loaded), answering 413 as soon as it is exceeded; and within the bytes all requests
     * may hold at once, answering 503 beyond them. The bytes are held until the answer is sent.
     */
    private void readBoundedBody(BindingExchange call) {
        String name = call.name;
        long limit =
                registry.get(name)
                        .filter(Binding.Ready.class::isInstance)
                        .map(b -> ((Binding.Ready) b).maxRequestBytes())
                        .orElse(Limits.DEFAULT_MAX_REQUEST_BYTES);
        HttpServerRequest request = call.request;
        String declared = request.getHeader("Content-Length");
        long declaredLength = declared == null ? -1 : parseLong(declared);
        if (declaredLength > limit) {
            call.response().putHeader("Connection", "close");
            tooLarge(call, declaredLength, limit);
            return;
        }
        call.onEnd(() -> budget.release(call.reserved));
        // A declared length is reserved at once, so that a slow sender cannot overdraw the budget.
        if (declaredLength > 0 && !reserve(call, declaredLength)) {
            return;
        }
        // curl sends "Expect: 100-continue" with bodies over 1 KiB and waits a second for the
        // go-ahead; daprd's Go server gives it when the body is read: so do we, once the declared
        // length has passed the checks above (a refused body is answered without it).
        if (request.version() == HttpVersion.HTTP_1_1
                && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            call.response().writeContinue();
        }
        // Chunks are copied straight into one array of the declared size (grown without one),
        // each only once it has passed the limits: the array never holds more than they allow.
        RequestBody body = new RequestBody(bodyArrays.take((int) Math.max(0, declaredLength)));
        request.handler(
                chunk -> {
                    if (call.response().ended()) {
                        return;
                    }
                    long received = (long) body.length() + chunk.length();
                    if (received > limit) {
                        call.response().putHeader("Connection", "close");
                        tooLarge(call, received, limit);
                    } else if (received <= call.reserved
                            || reserve(call, received - call.reserved)) {
                        body.append(chunk);
                    }
                });
        request.endHandler(
                v -> {
                    if (call.response().ended()) {
                        return;
                    }
                    try {
                        if (call.binary) {
                            handleRawInvoke(call, body);
                        } else {
                            handleInvoke(call, body);
                        }
                    } catch (RuntimeException e) {
                        unexpected(call, e);
                    }
                });
        request.exceptionHandler(
                e -> LOG.debug("request body of {} failed: {}", name, e.toString()));
        request.resume();
    }

    /**
     * A handler threw (a query that cannot be decoded, say): 500 with the reason phrase as its
     * body, as Vert.x Web's router answers a route whose handler throws.
     */
    private static void unexpected(BindingExchange call, RuntimeException e) {
        LOG.error("binding call of {} failed", call.name, e);
        if (!call.response().ended()) {
            call.response().setStatusCode(500).end("Internal Server Error");
        }
    }

    private boolean reserve(BindingExchange call, long bytes) {
        if (budget.tryReserve(bytes)) {
            call.reserved += bytes;
            return true;
        }
        call.response().putHeader("Connection", "close");
        fail(
                call,
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

    private void tooLarge(BindingExchange call, long size, long limit) {
        fail(
                call,
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
    private void handleInvoke(BindingExchange call, RequestBody body) {
        String name = call.name;
        Binding binding = registry.get(name).orElse(null);
        CompletableFuture<byte[]> run;
        if (binding instanceof Binding.Ready ready) {
            run =
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
            run =
                    BodyDecoders.submit(
                            () -> {
                                invoker.lookup(name, decode(body, false).operation());
                                throw new IllegalStateException(name + " is not ready");
                            });
        }
        answer(call, run, JSON, body);
    }

    private BindingRequest decode(RequestBody body, boolean rawData) throws CallException {
        try {
            return decoder.decode(body.bytes(), 0, body.length(), rawData);
        } catch (GoJsonException e) {
            throw new CallException(CallOutcome.MALFORMED_REQUEST, e.getMessage());
        }
    }

    /** The binary form: the body is STDIN as it is (not copied). */
    private void handleRawInvoke(BindingExchange call, RequestBody body) {
        RawBindingRequest raw = RawBindingRequest.of(call.request);
        Binding.Ready binding;
        try {
            binding = invoker.lookup(call.name, raw.operation());
        } catch (CallException e) {
            fail(call, e);
            return;
        }
        var input = new BindingInvoker.GuestInput(body.bytes(), 0, body.length(), raw.args());
        answer(call, invoker.invoke(binding, () -> input), RawBindingRequest.CONTENT_TYPE, body);
    }

    /**
     * Answers with the call's outcome. Once the guest has returned (success), nothing reads the
     * body any more and its array goes back to the pool; a failed call may have left a guest
     * running (a timeout), so its array is left to the garbage collector.
     */
    private void answer(
            BindingExchange call,
            CompletableFuture<byte[]> run,
            String contentType,
            RequestBody body) {
        Context context = Vertx.currentContext();
        run.whenComplete(
                (stdout, error) ->
                        context.runOnContext(
                                v -> {
                                    if (error == null) {
                                        body.release(bodyArrays);
                                        succeed(call, stdout, contentType);
                                    } else {
                                        fail(call, callException(error));
                                    }
                                }));
    }

    private void succeed(BindingExchange call, byte[] stdout, String contentType) {
        call.response()
                .setStatusCode(200)
                .putHeader("Content-Type", contentType)
                .end(Buffer.buffer(stdout));
        record(call, CallOutcome.SUCCESS, 200);
    }

    private void fail(BindingExchange call, CallException error) {
        String name = call.name;
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
            call.response().putHeader("Retry-After", "1");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorCode", code);
        body.put("message", message);
        if (!call.response().ended()) {
            call.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(Buffer.buffer(GoJsonEncoder.encode(body)));
        }
        record(call, error.outcome(), status);
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

    private void record(BindingExchange call, CallOutcome outcome, int status) {
        String name = call.name;
        Duration took = Duration.ofNanos(System.nanoTime() - call.started);
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
