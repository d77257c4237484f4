package dev.wasmbind.sidecar.http;

import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one client can hold of the HTTP server: a connection silent for {@code idleTimeout} is
 * closed; one that has not finished a request's headers {@code headerTimeout} after connecting or
 * after its last answer is closed (slow clients dripping header bytes); headers are at most {@code
 * maxHeaderBytes}; the bodies of all requests being read, decoded or run hold at most {@code
 * requestBytesInFlight} bytes together, beyond which a call is answered 503 with Retry-After.
 */
public record ServerLimits(
        Duration idleTimeout,
        Duration headerTimeout,
        int maxHeaderBytes,
        long requestBytesInFlight) {

    /** A quarter of the heap for request bodies: decoding holds a few times a body's size. */
    public static ServerLimits defaults() {
        return new ServerLimits(
                Duration.ofSeconds(60),
                Duration.ofSeconds(10),
                HttpServerOptions.DEFAULT_MAX_HEADER_SIZE,
                Runtime.getRuntime().maxMemory() / 4);
    }

    public ServerLimits withIdleTimeout(Duration idleTimeout) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    public ServerLimits withHeaderTimeout(Duration headerTimeout) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    public ServerLimits withRequestBytesInFlight(long requestBytesInFlight) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    /** The options of a server with these limits (the header timeout is the server's own). */
    public HttpServerOptions applyTo(HttpServerOptions options) {
        return options.setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(maxHeaderBytes);
    }
}
