package dev.wasmbind.sidecar.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1 connection that has not sent a request's headers within the timeout of its
 * opening or of its last answer: Vert.x has no header-read timeout, and its idle timeout is reset
 * by every byte, so a client dripping header bytes would hold the connection forever.
 *
 * <p>One timer per connection, not per request: a request only marks its connection busy and its
 * answer idle again (two field writes), and the timer, when it fires, closes an idle connection
 * whose time is up or sets itself again for the rest of the time. Scheduling and cancelling a timer
 * for every request cost a tenth of the event loop's time on a tiny call.
 */
final class HeaderDeadline {

    private final Vertx vertx;
    private final long timeoutMillis;
    private final long timeoutNanos;
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

    private HeaderDeadline(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Sets {@code server}'s connection and request handlers; returns the server. */
    static HttpServer install(Vertx vertx, HttpServer server, Duration timeout, Router router) {
        var deadline = new HeaderDeadline(vertx, timeout);
        // First of all routes: the router owns the response's end handler, so re-arm from there.
        router.route().order(Integer.MIN_VALUE).handler(deadline::headersRead);
        return server.connectionHandler(deadline::opened).requestHandler(router);
    }

    private void opened(HttpConnection connection) {
        var watch = new Watch(connection);
        watches.put(connection, watch);
        connection.closeHandler(v -> watch.stop());
        watch.schedule(timeoutMillis);
    }

    private void headersRead(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        Watch watch = connection == null ? null : watches.get(connection);
        if (watch != null) {
            if (ctx.request().version() == HttpVersion.HTTP_2) {
                // HTTP/2 multiplexes requests: one answer does not mean the connection waits.
                watch.stop();
            } else {
                watch.inFlight++;
                ctx.addEndHandler(v -> watch.answered());
            }
        }
        ctx.next();
    }

    /** The deadline of one connection; its fields are touched on the connection's event loop. */
    private final class Watch implements Handler<Long> {
        private final HttpConnection connection;

        /** Requests read and not answered yet (HTTP/1 clients may pipeline). */
        private volatile int inFlight;

        private volatile long idleSince = System.nanoTime();
        private volatile boolean stopped;
        private volatile long timer = -1;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        void answered() {
            idleSince = System.nanoTime();
            inFlight--;
        }

        void schedule(long millis) {
            timer = vertx.setTimer(millis, this);
        }

        void stop() {
            stopped = true;
            watches.remove(connection, this);
            vertx.cancelTimer(timer);
        }

        @Override
        public void handle(Long id) {
            if (stopped) {
                return;
            }
            if (inFlight > 0) {
                // A request is being answered; its answer starts the next wait.
                schedule(timeoutMillis);
                return;
            }
            long left = timeoutNanos - (System.nanoTime() - idleSince);
            if (left <= 0) {
                stop();
                connection.close();
            } else {
                schedule(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            }
        }
    }
}
