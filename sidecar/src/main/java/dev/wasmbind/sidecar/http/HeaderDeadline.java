package dev.wasmbind.sidecar.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes an HTTP/1 connection that has not sent a request's headers within the timeout of its
 * opening or of its last answer: Vert.x has no header-read timeout, and its idle timeout is reset
 * by every byte, so a client dripping header bytes would hold the connection forever.
 */
final class HeaderDeadline {

    private final Vertx vertx;
    private final long timeoutMillis;
    private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

    private HeaderDeadline(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
    }

    /** Sets {@code server}'s connection and request handlers; returns the server. */
    static HttpServer install(Vertx vertx, HttpServer server, Duration timeout, Router router) {
        var deadline = new HeaderDeadline(vertx, timeout);
        // First of all routes: the router owns the response's end handler, so re-arm from there.
        router.route().order(Integer.MIN_VALUE).handler(deadline::headersRead);
        return server.connectionHandler(deadline::opened).requestHandler(router);
    }

    private void opened(HttpConnection connection) {
        connection.closeHandler(v -> cancel(connection));
        arm(connection);
    }

    private void headersRead(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        if (connection != null) {
            cancel(connection);
            // HTTP/2 multiplexes requests: one answer does not mean the connection waits.
            if (ctx.request().version() != HttpVersion.HTTP_2) {
                ctx.addEndHandler(v -> arm(connection));
            }
        }
        ctx.next();
    }

    private void arm(HttpConnection connection) {
        long timer =
                vertx.setTimer(
                        timeoutMillis,
                        id -> {
                            if (timers.remove(connection, id)) {
                                connection.close();
                            }
                        });
        Long previous = timers.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
    }

    private void cancel(HttpConnection connection) {
        Long timer = timers.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
