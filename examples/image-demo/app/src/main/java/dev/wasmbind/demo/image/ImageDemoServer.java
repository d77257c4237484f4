package dev.wasmbind.demo.image;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.ConnectException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's web server: the page ({@code GET /}) and {@code POST /grey}, which sends the request
 * body (a PNG or JPEG) to the grey binding and answers the PNG it returns, with the time the
 * binding call took in a {@code Server-Timing} header.
 */
public final class ImageDemoServer {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDemoServer.class);

    /** The binding's limits.maxRequestBytes (bindings/grey.yaml): larger uploads answer 413. */
    public static final long MAX_UPLOAD_BYTES = 16L * 1024 * 1024;

    private final BindingClient bindings;
    private final String binding;

    public ImageDemoServer(BindingClient bindings, String binding) {
        this.bindings = bindings;
        this.binding = binding;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        // Two routes: Vert.x runs a body handler first within a route.
        router.post("/grey").handler(this::checkContentType);
        router.post("/grey")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_UPLOAD_BYTES))
                .handler(this::handleGrey);
        router.get("/*").handler(StaticHandler.create("webroot"));
        return router;
    }

    public Future<HttpServer> listen(Vertx vertx, String host, int port) {
        return vertx.createHttpServer().requestHandler(router(vertx)).listen(port, host);
    }

    /** The body is the image itself: refuse forms, which the body handler would try to decode. */
    private void checkContentType(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mediaType =
                type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.isEmpty()
                || mediaType.startsWith("image/")
                || mediaType.equals("application/octet-stream")) {
            ctx.next();
        } else {
            text(
                    ctx,
                    415,
                    "send the image itself as the body, with Content-Type image/png, image/jpeg"
                            + " or application/octet-stream (not "
                            + mediaType
                            + ")");
        }
    }

    private void handleGrey(RoutingContext ctx) {
        Buffer image = ctx.body().buffer();
        if (image == null || image.length() == 0) {
            text(ctx, 400, "send a PNG or JPEG image as the request body");
            return;
        }
        long start = System.nanoTime();
        bindings.invoke(binding, "execute", image)
                .onSuccess(
                        png -> {
                            double millis = (System.nanoTime() - start) / 1e6;
                            ctx.response()
                                    .putHeader("Content-Type", "image/png")
                                    .putHeader("Cache-Control", "no-store")
                                    .putHeader(
                                            "Server-Timing",
                                            String.format(
                                                    Locale.ROOT,
                                                    "binding;dur=%.1f;desc=\"%s via the sidecar"
                                                            + " (gRPC)\"",
                                                    millis,
                                                    binding))
                                    .end(png);
                        })
                .onFailure(error -> fail(ctx, error));
    }

    private void fail(RoutingContext ctx, Throwable error) {
        if (error instanceof BindingCallException call) {
            // The program's own message (e.g. "not a PNG or JPEG image") is in the status message.
            text(ctx, 502, "the " + binding + " binding failed: " + call.getMessage());
        } else if (error instanceof ConnectException) {
            text(
                    ctx,
                    503,
                    "the sidecar is not reachable on "
                            + bindings.sidecarAddress()
                            + " (gRPC): "
                            + error.getMessage());
        } else {
            LOG.warn("calling the {} binding failed", binding, error);
            text(ctx, 502, "calling the " + binding + " binding failed: " + error);
        }
    }

    private static void text(RoutingContext ctx, int status, String message) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(message + "\n");
    }
}
