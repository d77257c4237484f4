package dev.wasmbind.module.source;

import dev.wasmbind.module.source.FetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * The one outbound HTTP path of the fetchers (HTTP sources, registries, token realms): every hop,
 * first URL and each redirect, passes the {@link AddressGuard}; an {@code Authorization} header
 * goes only to the origin (scheme, host, port) it was meant for; connect, per-request and total
 * deadlines; bodies read under a size cap.
 *
 * <p>DNS: the guard resolves the host and checks every address; the JDK client then resolves the
 * name again, which the JVM's address cache ({@code networkaddress.cache.ttl}, 30 s by default)
 * answers with the addresses just checked. Pinning the connection to the checked address would
 * break TLS host verification with the JDK client, so a DNS answer that changes inside the cache
 * window cannot take effect, but one that changes after it can (see docs/operator.md).
 */
final class GuardedHttp {

    /** Where a request goes: credentials never leave the origin they were attached for. */
    record Origin(String scheme, String host, int port) {
        static Origin of(URI url) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            int port = url.getPort();
            if (port < 0) {
                port = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
            }
            String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
            return new Origin(scheme, host, port);
        }
    }

    /** A response with its body still open; close it. */
    record Response(URI url, HttpResponse<InputStream> raw) implements AutoCloseable {
        int status() {
            return raw.statusCode();
        }

        Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }

        @Override
        public void close() {
            try {
                raw.body().close();
            } catch (IOException ignored) {
                // the body is not needed any more
            }
        }
    }

    private final HttpClient client;
    private final Duration requestTimeout;
    private final Duration totalTimeout;
    private final int maxRedirects;
    private final AddressGuard guard;

    GuardedHttp(FetchPolicy policy) {
        HttpClient.Builder http =
                HttpClient.newBuilder()
                        .connectTimeout(policy.connectTimeout())
                        // Redirects are followed by hand so that every hop passes the guard.
                        .followRedirects(HttpClient.Redirect.NEVER);
        policy.sslContext().ifPresent(http::sslContext);
        this.client = http.build();
        this.guard = policy.guard();
        this.requestTimeout = policy.requestTimeout();
        this.totalTimeout = policy.totalTimeout();
        this.maxRedirects = policy.maxRedirects();
    }

    /** When a fetch starting now must be done. */
    Instant deadline() {
        return Instant.now().plus(totalTimeout);
    }

    /**
     * GETs {@code url}, following up to the redirect limit; {@code authorization} is sent only
     * while a hop stays on {@code url}'s origin. Answers other than redirects are returned.
     */
    Response get(
            URI url, Map<String, String> headers, Optional<String> authorization, Instant deadline)
            throws FetchException {
        Origin authorized = Origin.of(url);
        URI hop = url;
        for (int redirects = 0; redirects <= maxRedirects; redirects++) {
            guard.check(hop);
            HttpRequest.Builder get =
                    HttpRequest.newBuilder(hop).timeout(requestTimeout(deadline, hop)).GET();
            headers.forEach(get::header);
            if (authorization.isPresent() && Origin.of(hop).equals(authorized)) {
                get.header("Authorization", authorization.get());
            }
            HttpResponse<InputStream> response = send(get.build(), hop);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                Response redirect = new Response(hop, response);
                URI next = redirectTarget(redirect);
                redirect.close();
                hop = next;
                continue;
            }
            return new Response(hop, response);
        }
        throw new FetchException(
                Reason.BAD_RESPONSE, "more than " + maxRedirects + " redirects from " + url);
    }

    /**
     * Reads a 200 answer's body: refused before reading when its declared length is over {@code
     * maxBytes}, cut off when the stream goes over it or when the deadline passes.
     */
    byte[] readBody(Response response, long maxBytes, Instant deadline, String what)
            throws FetchException {
        long declared = response.raw().headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > maxBytes) {
            response.close();
            throw new FetchException(
                    Reason.TOO_LARGE,
                    what + " is " + declared + " bytes, more than the limit of " + maxBytes);
        }
        // The client's timeout ends at the headers; a slow body is cut off here.
        long left =
                Math.max(
                        1,
                        Math.min(
                                requestTimeout.toMillis(),
                                Duration.between(Instant.now(), deadline).toMillis()));
        var timedOut = new AtomicBoolean();
        var closer =
                CompletableFuture.runAsync(
                        () -> {
                            timedOut.set(true);
                            response.close();
                        },
                        CompletableFuture.delayedExecutor(left, TimeUnit.MILLISECONDS));
        try (InputStream body = response.raw().body()) {
            return BoundedReads.readAtMost(body, maxBytes, what);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new FetchException(
                        Reason.TIMEOUT,
                        "timed out reading " + what + " after " + Duration.ofMillis(left),
                        e);
            }
            throw new FetchException(
                    Reason.IO_ERROR, "reading " + what + " failed: " + describe(e), e);
        } finally {
            closer.cancel(false);
        }
    }

    /** A typed error for a status that is neither 200 nor a redirect. */
    static FetchException statusError(int status, URI url) {
        return switch (status) {
            case 404, 410 ->
                    new FetchException(
                            Reason.NOT_FOUND, url + " answered " + status + " (not found)");
            case 401, 403 ->
                    new FetchException(
                            Reason.AUTH_FAILED,
                            url
                                    + " answered "
                                    + status
                                    + ": check the credentials in spec.pullSecret");
            default -> new FetchException(Reason.BAD_RESPONSE, url + " answered HTTP " + status);
        };
    }

    private Duration requestTimeout(Instant deadline, URI url) throws FetchException {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new FetchException(
                    Reason.TIMEOUT,
                    "timed out before requesting "
                            + url
                            + " (total fetch time "
                            + totalTimeout
                            + ")");
        }
        return left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
    }

    private HttpResponse<InputStream> send(HttpRequest request, URI url) throws FetchException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new FetchException(Reason.TIMEOUT, "timed out connecting to " + url, e);
        } catch (HttpTimeoutException e) {
            throw new FetchException(Reason.TIMEOUT, "timed out waiting for " + url, e);
        } catch (SSLException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "TLS with " + url.getHost() + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "cannot fetch " + url + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(Reason.IO_ERROR, "interrupted fetching " + url, e);
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    Reason.REFUSED, "cannot request " + url + ": " + e.getMessage(), e);
        }
    }

    /** The next hop; only http(s), and a malformed Location is a bad answer, not a crash. */
    private static URI redirectTarget(Response response) throws FetchException {
        URI from = response.url();
        String location =
                response.header("Location")
                        .orElseThrow(
                                () ->
                                        new FetchException(
                                                Reason.BAD_RESPONSE,
                                                from
                                                        + " answered "
                                                        + response.status()
                                                        + " without a Location"));
        URI next;
        try {
            next = from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    Reason.BAD_RESPONSE,
                    from + " redirects to a malformed Location: " + e.getMessage(),
                    e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new FetchException(
                    Reason.REFUSED, from + " redirects to " + next + ", which is not http(s)");
        }
        if (next.getHost() == null) {
            throw new FetchException(
                    Reason.BAD_RESPONSE, from + " redirects to " + next + ", which has no host");
        }
        return next;
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
