package dev.wasmbind.sidecar.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
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

    private static final Runnable NOTHING = () -> {};

    private final Vertx vertx;
    private final long timeoutMillis;
    private final long timeoutNanos;
    private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

    private HeaderDeadline(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Sets {@code server}'s connection handler; requests report to {@link #requestRead}. */
    static HeaderDeadline install(Vertx vertx, HttpServer server, Duration timeout) {
        var deadline = new HeaderDeadline(vertx, timeout);
        server.connectionHandler(deadline::opened);
        return deadline;
    }

    /**
     * A route for the first place of a router whose requests do not pass {@link #requestRead}
     * otherwise: the router owns the response's end handler, so the answer is seen from there.
     */
    void routeFirst(Router router) {
        router.route()
                .order(Integer.MIN_VALUE)
                .handler(
                        ctx -> {
                            Runnable answered = requestRead(ctx.request());
                            ctx.addEndHandler(v -> answered.run());
                            ctx.next();
                        });
    }

    private void opened(HttpConnection connection) {
        var watch = new Watch(connection);
        watches.put(connection, watch);
        connection.closeHandler(v -> watch.stop());
        watch.schedule(timeoutMillis);
    }

    /**
     * Marks {@code request}'s connection busy; returns what to run once it is answered (or its
     * connection is gone).
     */
    Runnable requestRead(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        Watch watch = connection == null ? null : watches.get(connection);
        if (watch == null) {
            return NOTHING;
        }
        if (request.version() == HttpVersion.HTTP_2) {
            // HTTP/2 multiplexes requests: one answer does not mean the connection waits.
            watch.stop();
            return NOTHING;
        }
        watch.inFlight++;
        return watch::answered;
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
