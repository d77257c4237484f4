package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.moduleservice.TokenReviewer.Review;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the operator's module cache to injected sidecars over HTTPS (protocol:
 * docs/module-service.md): the bindings of the caller's namespace with long-poll change
 * notification, and module bytes by digest. Every request is authenticated with the caller's
 * ServiceAccount token (TokenReview, cached) and limited to the caller's own namespace.
 *
 * <p>Runs on Vert.x: a waiting long-poll is a timer and a listener, not a thread. Blocking work
 * (TokenReviews, fetching a module this replica lacks) runs on Vert.x's worker pool.
 */
public final class ModuleService implements AutoCloseable {

    public static final int DEFAULT_PORT = 9443;
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);
    public static final int MAX_NAMES = 256;

    static final String BINDINGS_PATH = "/v1/namespaces/:namespace/bindings";
    static final String MODULE_PATH = "/v1/namespaces/:namespace/modules/sha256/:hex";

    private static final Logger LOG = LoggerFactory.getLogger(ModuleService.class);
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String ROUTE = "wasmbind.route";
    private static final String CALLER = "wasmbind.caller";
    // Long-polls end by 60s; a connection idle much longer than that is gone.
    private static final int IDLE_TIMEOUT_SECONDS = 150;

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final String host;
    private final int requestedPort;
    private final ModuleCache cache;
    private final BindingViews views;
    private final CachingTokenReviewer reviewer;
    private final CallerRateLimiter limiter;
    private final ModuleServiceMetrics metrics;
    private final Optional<SourceFetches> sourceFetches;
    private final CertificateReloader certificates;
    private final Duration certReloadInterval;
    private HttpServer server;
    private long sweeper = -1;

    private ModuleService(Builder b) {
        Objects.requireNonNull(b.certFile, "certFile");
        Objects.requireNonNull(b.keyFile, "keyFile");
        this.cache = Objects.requireNonNull(b.cache, "cache");
        this.views = Objects.requireNonNull(b.views, "bindings");
        Objects.requireNonNull(b.tokenReviewer, "tokenReviewer");
        this.ownsVertx = b.vertx == null;
        this.vertx = b.vertx != null ? b.vertx : Vertx.vertx();
        this.host = b.host;
        this.requestedPort = b.port;
        this.metrics = new ModuleServiceMetrics(b.meterRegistry);
        this.reviewer =
                new CachingTokenReviewer(
                        b.tokenReviewer, b.clock, b.tokenCacheMaxTtl, b.refusedTokenTtl);
        this.limiter = new CallerRateLimiter(b.ratePerSecond, b.rateBurst, System::nanoTime);
        this.metrics.bind(reviewer, views, limiter);
        this.sourceFetches =
                Optional.ofNullable(b.fetcher)
                        .map(f -> new SourceFetches(vertx, f, b.credentials, cache, metrics));
        this.certificates = new CertificateReloader(vertx, b.certFile, b.keyFile, metrics);
        this.certReloadInterval = b.certReloadInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Listens; returns once the port is bound. */
    public ModuleService start() throws IOException {
        HttpServerOptions options =
                new HttpServerOptions()
                        .setHost(host)
                        .setPort(requestedPort)
                        .setSsl(true)
                        .setKeyCertOptions(certificates.initial())
                        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS);
        server = vertx.createHttpServer(options).requestHandler(router());
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(
                    "module service cannot listen on "
                            + host
                            + ":"
                            + requestedPort
                            + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the module service", e);
        } catch (TimeoutException e) {
            throw new IOException("the module service did not start within 30s", e);
        }
        certificates.watch(server, certReloadInterval);
        sweeper =
                vertx.setPeriodic(
                        60_000,
                        id -> {
                            reviewer.sweep();
                            limiter.sweep();
                        });
        LOG.info("module service listening on https://{}:{}", host, port());
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.actualPort();
    }

    /** Checks the certificate files now (the service also does so periodically). */
    public boolean reloadCertificate() throws Exception {
        return certificates.check(server).toCompletionStage().toCompletableFuture().get();
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(this::meter);
        router.get(BINDINGS_PATH).handler(this::authenticate).handler(this::handleBindings);
        router.get(MODULE_PATH).handler(this::authenticate).handler(this::handleModule);
        router.errorHandler(
                404, ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().path()));
        router.errorHandler(
                405, ctx -> error(ctx, 405, "only GET is served: " + ctx.request().method()));
        router.errorHandler(
                500,
                ctx -> {
                    LOG.warn("module service request failed", ctx.failure());
                    error(ctx, 500, "internal error: " + String.valueOf(ctx.failure()));
                });
        return router;
    }

    private void meter(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.put(ROUTE, ModuleServiceMetrics.OTHER);
        ctx.addEndHandler(
                done ->
                        metrics.request(
                                ctx.get(ROUTE),
                                ctx.response().getStatusCode(),
                                Duration.ofNanos(System.nanoTime() - start)));
        ctx.next();
    }

    /**
     * Bearer token -> TokenReview (cached) -> the caller's namespace must be the path's -> rate
     * limit. A 403 says only that the token's namespace is another: nothing about the path's.
     */
    private void authenticate(RoutingContext ctx) {
        ctx.put(
                ROUTE,
                ctx.currentRoute().getPath().endsWith("/bindings")
                        ? ModuleServiceMetrics.BINDINGS
                        : ModuleServiceMetrics.MODULE);
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null
                || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || header.substring(7).isBlank()) {
            metrics.authFailure("missing_token");
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, "an Authorization: Bearer <ServiceAccount token> header is required");
            return;
        }
        String token = header.substring(7).strip();
        Optional<Review> cached = reviewer.cached(token);
        if (cached.isPresent()) {
            authorize(ctx, cached.get());
            return;
        }
        vertx.<Review>executeBlocking(() -> reviewer.review(token), false)
                .onSuccess(review -> authorize(ctx, review))
                .onFailure(
                        e -> {
                            metrics.authFailure("review_unavailable");
                            LOG.warn("cannot review a caller's token: {}", e.getMessage());
                            error(ctx, 503, "cannot check the token now; retry later");
                        });
    }

    private void authorize(RoutingContext ctx, Review review) {
        if (!review.authenticated()) {
            metrics.authFailure("rejected");
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, "the token was refused: " + review.error());
            return;
        }
        Optional<Caller> caller = Caller.fromUser(review.username(), review.extra());
        if (caller.isEmpty()) {
            metrics.authFailure("not_service_account");
            error(ctx, 403, "only ServiceAccount tokens are served, not " + review.username());
            return;
        }
        String namespace = ctx.pathParam("namespace");
        if (!caller.get().namespace().equals(namespace)) {
            metrics.authFailure("other_namespace");
            error(
                    ctx,
                    403,
                    "a token of namespace "
                            + caller.get().namespace()
                            + " may read only /v1/namespaces/"
                            + caller.get().namespace()
                            + "/…");
            return;
        }
        Optional<Duration> wait = limiter.tryAcquire(caller.get().rateLimitKey());
        if (wait.isPresent()) {
            metrics.authFailure("rate_limited");
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            error(ctx, 429, "too many requests from " + caller.get().rateLimitKey());
            return;
        }
        ctx.put(CALLER, caller.get());
        ctx.next();
    }

    private void handleBindings(RoutingContext ctx) {
        String namespace = ctx.pathParam("namespace");
        Optional<List<String>> names;
        Duration wait;
        try {
            names = names(ctx.queryParam("names"));
            wait = waitParam(ctx.queryParam("wait"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        if (!views.isSynced()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
            error(ctx, 503, "this replica is still loading the WasmBindings; retry");
            return;
        }
        String known = etag(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH));
        if (known == null || wait.isZero()) {
            BindingView view = views.view(namespace, names);
            if (view.revision().equals(known)) {
                notModified(ctx, view.revision());
            } else {
                send(ctx, view);
            }
            return;
        }
        ctx.put(ROUTE, ModuleServiceMetrics.BINDINGS_WAIT);
        new LongPoll(ctx, namespace, names, known).start(wait);
    }

    /** One waiting request: answered on the first change of its view, or 304 when time is up. */
    private final class LongPoll {
        private final RoutingContext ctx;
        private final String namespace;
        private final Optional<List<String>> names;
        private final String known;
        private final Context context;
        private BindingViews.Subscription subscription;
        private long timer = -1;
        private boolean done;

        LongPoll(RoutingContext ctx, String namespace, Optional<List<String>> names, String known) {
            this.ctx = ctx;
            this.namespace = namespace;
            this.names = names;
            this.known = known;
            this.context = vertx.getOrCreateContext();
        }

        void start(Duration wait) {
            // Subscribe before the first look, so a change in between is not missed.
            subscription = views.subscribe(namespace, () -> context.runOnContext(v -> check()));
            timer = vertx.setTimer(wait.toMillis(), id -> finish(null));
            ctx.response().closeHandler(v -> finish(null));
            check();
        }

        private void check() {
            if (done) {
                return;
            }
            BindingView view = views.view(namespace, names);
            if (!view.revision().equals(known)) {
                finish(view);
            }
        }

        private void finish(BindingView view) {
            if (done) {
                return;
            }
            done = true;
            subscription.close();
            vertx.cancelTimer(timer);
            if (ctx.response().closed() || ctx.response().ended()) {
                return;
            }
            if (view == null) {
                notModified(ctx, known);
            } else {
                send(ctx, view);
            }
        }
    }

    private void handleModule(RoutingContext ctx) {
        String namespace = ctx.pathParam("namespace");
        String hex = ctx.pathParam("hex");
        if (!HEX.matcher(hex).matches()) {
            error(ctx, 400, "a module is named by 64 lowercase hex characters, not " + hex);
            return;
        }
        if (!views.isSynced()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
            error(ctx, 503, "this replica is still loading the WasmBindings; retry");
            return;
        }
        // The same answer whether the digest exists elsewhere or nowhere: nothing leaks.
        Optional<WasmBinding> binding = views.withDigest(namespace, "sha256:" + hex);
        if (binding.isEmpty()) {
            error(ctx, 404, "no WasmBinding of namespace " + namespace + " uses sha256:" + hex);
            return;
        }
        if (cache.contains(hex)) {
            sendModule(ctx, hex, cache.pathOf(hex));
            return;
        }
        if (sourceFetches.isEmpty()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
            error(ctx, 503, "this replica does not have sha256:" + hex + " yet; retry");
            return;
        }
        sourceFetches
                .get()
                .fetch(hex, binding.get())
                .onSuccess(path -> sendModule(ctx, hex, path))
                .onFailure(
                        e ->
                                error(
                                        ctx,
                                        e instanceof FetchException f && !f.isTransient()
                                                ? 502
                                                : 503,
                                        "this replica lacked sha256:"
                                                + hex
                                                + " and could not fetch it from "
                                                + binding.get().getSpec().getUrl()
                                                + ": "
                                                + e.getMessage()));
    }

    private void sendModule(RoutingContext ctx, String hex, Path path) {
        if (ctx.response().closed()) {
            return;
        }
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/wasm")
                .putHeader(HttpHeaders.ETAG, "\"sha256:" + hex + "\"")
                .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable")
                .sendFile(path.toString())
                .onFailure(
                        e -> {
                            // Collected by the cache GC in between: as if it never was here.
                            if (!ctx.response().headWritten()) {
                                ctx.response().headers().clear();
                                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
                                error(ctx, 503, "sha256:" + hex + " is not available; retry");
                            }
                        });
    }

    private static void send(RoutingContext ctx, BindingView view) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ETAG, "\"" + view.revision() + "\"")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(Buffer.buffer(view.json()));
    }

    private static void notModified(RoutingContext ctx, String revision) {
        ctx.response().setStatusCode(304).putHeader(HttpHeaders.ETAG, "\"" + revision + "\"").end();
    }

    private static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", message).toBuffer());
    }

    /** {@code "abc"}, {@code W/"abc"} or {@code abc} -> {@code abc}; null stays null. */
    static String etag(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** {@code names=a,b&names=c} -> [a, b, c] without repeats; absent -> empty (all). */
    static Optional<List<String>> names(List<String> params) {
        if (params == null || params.isEmpty()) {
            return Optional.empty();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String param : params) {
            for (String name : param.split(",", -1)) {
                String trimmed = name.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.length() > 253 || !NAME.matcher(trimmed).matches()) {
                    throw new IllegalArgumentException(
                            "names: '" + trimmed + "' is not a Kubernetes object name");
                }
                names.add(trimmed);
            }
        }
        if (names.size() > MAX_NAMES) {
            throw new IllegalArgumentException(
                    "names: at most " + MAX_NAMES + " bindings per request, got " + names.size());
        }
        return Optional.of(new ArrayList<>(names));
    }

    /** {@code wait=30s} -> 30s, capped at {@link #MAX_WAIT}; absent -> zero (no long-poll). */
    static Duration waitParam(List<String> params) {
        if (params == null || params.isEmpty()) {
            return Duration.ZERO;
        }
        Duration wait;
        try {
            wait = GoDuration.parse(params.get(0).strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "wait: '" + params.get(0) + "' is not a duration such as 30s", e);
        }
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative: " + params.get(0));
        }
        return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
    }

    @Override
    public void close() {
        certificates.close();
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("module service close", e);
            }
        }
        views.close();
        if (ownsVertx) {
            vertx.close();
        }
    }

    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private Path certFile;
        private Path keyFile;
        private Duration certReloadInterval = Duration.ofSeconds(10);
        private ModuleCache cache;
        private BindingViews views;
        private TokenReviewer tokenReviewer;
        private Duration tokenCacheMaxTtl = CachingTokenReviewer.DEFAULT_MAX_TTL;
        private Duration refusedTokenTtl = CachingTokenReviewer.DEFAULT_REFUSED_TTL;
        private double ratePerSecond = CallerRateLimiter.DEFAULT_PER_SECOND;
        private int rateBurst = CallerRateLimiter.DEFAULT_BURST;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private ModuleFetcher fetcher;
        private CredentialsLookup credentials = CredentialsLookup.NONE;
        private Clock clock = Clock.systemUTC();
        private Vertx vertx;

        private Builder() {}

        public Builder withHost(String host) {
            this.host = host;
            return this;
        }

        /** Default {@value ModuleService#DEFAULT_PORT}; 0 picks a free port. */
        public Builder withPort(int port) {
            this.port = port;
            return this;
        }

        /** PEM certificate (chain) and private key; reloaded when their content changes. */
        public Builder withCertificate(Path certFile, Path keyFile) {
            this.certFile = certFile;
            this.keyFile = keyFile;
            return this;
        }

        public Builder withCertificateReloadInterval(Duration interval) {
            this.certReloadInterval = interval;
            return this;
        }

        /** The modules served: the operator's cache. */
        public Builder withCache(ModuleCache cache) {
            this.cache = cache;
            return this;
        }

        /** The WasmBindings (the service closes them when it closes). */
        public Builder withBindings(BindingViews views) {
            this.views = views;
            return this;
        }

        /** Who checks tokens; the service caches its answers. */
        public Builder withTokenReviewer(TokenReviewer tokenReviewer) {
            this.tokenReviewer = tokenReviewer;
            return this;
        }

        /** Longest a valid review is remembered (default 5 min); never past the token's exp. */
        public Builder withTokenCacheMaxTtl(Duration ttl) {
            this.tokenCacheMaxTtl = ttl;
            return this;
        }

        /** How long a refused token is remembered (default 10 s). */
        public Builder withRefusedTokenTtl(Duration ttl) {
            this.refusedTokenTtl = ttl;
            return this;
        }

        /** Per caller: {@code perSecond} requests a second after a burst of {@code burst}. */
        public Builder withRateLimit(double perSecond, int burst) {
            this.ratePerSecond = perSecond;
            this.rateBurst = burst;
            return this;
        }

        public Builder withMeterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * Fetches modules this replica lacks from their source (followers); without one such a
         * request answers 503. {@code credentials} reads spec.pullSecret.
         */
        public Builder withSourceFetcher(ModuleFetcher fetcher, CredentialsLookup credentials) {
            this.fetcher = fetcher;
            this.credentials = credentials == null ? CredentialsLookup.NONE : credentials;
            return this;
        }

        public Builder withClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Runs on this Vert.x (not closed by the service); default: its own. */
        public Builder withVertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        public ModuleService build() {
            return new ModuleService(this);
        }
    }
}
