package dev.wasmbind.injector.admission;

import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.InvalidKeyMaterialException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The HTTPS server: POST /mutate (AdmissionReview v1), GET /healthz, /readyz and /metrics, all on
 * one port. Reviews are answered on the event loop: building a patch is pure and takes
 * microseconds, so there is nothing to offload.
 */
public final class AdmissionServer {

    /** The API server sends at most ~3 MiB per object; the review wraps one or two of them. */
    static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final AdmissionReviewHandler reviews;
    private final CertificateReloader certificates;
    private final PrometheusMeterRegistry registry;
    private final List<Supplier<Optional<String>>> readinessChecks;
    private HttpServer server;

    private AdmissionServer(Builder b) {
        this.vertx = Objects.requireNonNull(b.vertx, "vertx");
        this.host = b.host;
        this.port = b.port;
        this.certificates = Objects.requireNonNull(b.certificates, "certificates");
        this.registry = Objects.requireNonNull(b.registry, "registry");
        this.reviews =
                new AdmissionReviewHandler(
                        Objects.requireNonNull(b.injector, "injector"),
                        new AdmissionMetrics(registry));
        this.readinessChecks = List.copyOf(b.readinessChecks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads the certificate, listens, and starts watching the certificate for rotation. */
    public Future<AdmissionServer> start() {
        HttpServerOptions options;
        try {
            options =
                    new HttpServerOptions()
                            .setHost(host)
                            .setPort(port)
                            .setSsl(true)
                            .setKeyCertOptions(certificates.initial());
        } catch (InvalidKeyMaterialException e) {
            return Future.failedFuture(e);
        }
        Router router = Router.router(vertx);
        router.post("/mutate")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::handleMutate);
        router.get("/healthz").handler(this::handleHealth);
        router.get("/readyz").handler(this::handleReady);
        router.get("/metrics").handler(this::handleMetrics);
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .listen()
                .map(
                        s -> {
                            server = s;
                            certificates.watch(s);
                            return this;
                        });
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return server.actualPort();
    }

    public HttpServer httpServer() {
        return server;
    }

    public Future<Void> stop() {
        certificates.stop();
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handleMutate(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        AdmissionReviewHandler.Reply reply =
                reviews.handle(body == null ? new byte[0] : body.getBytes());
        ctx.response()
                .setStatusCode(reply.status())
                .putHeader("content-type", reply.contentType())
                .end(Buffer.buffer(reply.body()));
    }

    private void handleHealth(RoutingContext ctx) {
        ctx.response().putHeader("content-type", "text/plain").end("ok\n");
    }

    private void handleReady(RoutingContext ctx) {
        List<String> problems = new ArrayList<>();
        if (!certificates.loaded()) {
            problems.add("no serving certificate loaded");
        }
        readinessChecks.forEach(check -> check.get().ifPresent(problems::add));
        StringBuilder body = new StringBuilder(problems.isEmpty() ? "ready\n" : "");
        problems.forEach(p -> body.append("not ready: ").append(p).append('\n'));
        certificates
                .lastReloadError()
                .ifPresent(
                        e ->
                                body.append("last certificate reload failed: ")
                                        .append(e)
                                        .append('\n'));
        ctx.response()
                .setStatusCode(problems.isEmpty() ? 200 : 503)
                .putHeader("content-type", "text/plain")
                .end(body.toString());
    }

    private void handleMetrics(RoutingContext ctx) {
        ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape());
    }

    public static final class Builder {
        private Vertx vertx;
        private String host = "0.0.0.0";
        private int port = 8443;
        private SidecarInjector injector;
        private CertificateReloader certificates;
        private PrometheusMeterRegistry registry;
        private final List<Supplier<Optional<String>>> readinessChecks = new ArrayList<>();

        private Builder() {}

        public Builder vertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder injector(SidecarInjector injector) {
            this.injector = injector;
            return this;
        }

        public Builder certificates(CertificateReloader certificates) {
            this.certificates = certificates;
            return this;
        }

        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** An extra readiness condition: a reason when not ready, empty when fine. */
        public Builder readinessCheck(Supplier<Optional<String>> check) {
            this.readinessChecks.add(check);
            return this;
        }

        public AdmissionServer build() {
            return new AdmissionServer(this);
        }
    }
}
