package dev.wasmbind.sidecar.http;

import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one client can hold of the HTTP server: a connection silent for {@code idleTimeout} is
 * closed; one that has not finished a request's headers {@code headerTimeout} after connecting or
 * after its last answer is closed (slow clients dripping header bytes); headers are at most {@code
 * maxHeaderBytes}; the bodies of all requests being read, decoded or run hold at most {@code
 * requestBytesInFlight} bytes together, beyond which a call is answered 503 with Retry-After.
 *
 * <p>The defaults live here only ({@link #defaults()}); the sidecar's flags ({@code
 * --idle-timeout}, {@code --header-timeout}, {@code --max-header-bytes}, {@code
 * --request-bytes-in-flight}) show and override them.
 */
public record ServerLimits(
        Duration idleTimeout,
        Duration headerTimeout,
        int maxHeaderBytes,
        long requestBytesInFlight) {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HEADER_BYTES = HttpServerOptions.DEFAULT_MAX_HEADER_SIZE;

    /** The default request-bytes budget is the heap ({@code -Xmx}) divided by this. */
    public static final int HEAP_FRACTION_FOR_REQUESTS = 4;

    private static final Pattern SIZE = Pattern.compile("([0-9]+)(Ki|Mi|Gi)?");

    public ServerLimits {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("--idle-timeout must be positive");
        }
        if (headerTimeout == null || headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("--header-timeout must be positive");
        }
        if (maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("--max-header-bytes must be positive");
        }
        if (requestBytesInFlight <= 0) {
            throw new IllegalArgumentException("--request-bytes-in-flight must be positive");
        }
    }

    /** A quarter of the heap for request bodies: decoding holds a few times a body's size. */
    public static ServerLimits defaults() {
        return new ServerLimits(
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_HEADER_TIMEOUT,
                DEFAULT_MAX_HEADER_BYTES,
                Runtime.getRuntime().maxMemory() / HEAP_FRACTION_FOR_REQUESTS);
    }

    public ServerLimits withIdleTimeout(Duration idleTimeout) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    public ServerLimits withHeaderTimeout(Duration headerTimeout) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    public ServerLimits withMaxHeaderBytes(int maxHeaderBytes) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    public ServerLimits withRequestBytesInFlight(long requestBytesInFlight) {
        return new ServerLimits(idleTimeout, headerTimeout, maxHeaderBytes, requestBytesInFlight);
    }

    /**
     * The largest piece of a body the server hands over at once. Vert.x's default, 8 KiB, cut a 2
     * MiB body into 257 pieces, each a trip through Vert.x's handlers and a copy of its own; Netty
     * reads at most 64 KiB from the socket at once. Only how a body is cut, not a size limit.
     */
    static final int BODY_CHUNK_BYTES = 64 * 1024;

    /** The options of a server with these limits (the header timeout is the server's own). */
    public HttpServerOptions applyTo(HttpServerOptions options) {
        return options.setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(BODY_CHUNK_BYTES);
    }

    /**
     * A byte count as the flags take it: plain bytes or a binary Kubernetes quantity ({@code 8Ki},
     * {@code 64Mi}, {@code 1Gi}).
     *
     * @throws IllegalArgumentException for anything else, or a count that does not fit a long
     */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size (bytes, or a number with Ki, Mi or Gi)");
        }
        int shift =
                m.group(2) == null
                        ? 0
                        : switch (m.group(2).toLowerCase(Locale.ROOT)) {
                            case "ki" -> 10;
                            case "mi" -> 20;
                            default -> 30;
                        };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }
}
