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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * {@code http://} and {@code https://} URLs: TLS verified, timeouts, a size cap and a limited
 * number of redirects, each checked by the {@link AddressGuard}. Credentials are sent only to the
 * host of the URL they were given for.
 */
public final class HttpSource implements ModuleSource {

    private final HttpClient client;
    private final Duration requestTimeout;
    private final int maxRedirects;
    private final AddressGuard guard;

    private HttpSource(Builder builder) {
        HttpClient.Builder http =
                HttpClient.newBuilder()
                        .connectTimeout(builder.connectTimeout)
                        // Redirects are followed by hand so that every hop passes the guard.
                        .followRedirects(HttpClient.Redirect.NEVER);
        if (builder.sslContext != null) {
            http.sslContext(builder.sslContext);
        }
        this.client = http.build();
        this.requestTimeout = builder.requestTimeout;
        this.maxRedirects = builder.maxRedirects;
        this.guard = builder.guard;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
        URI url = request.url();
        String originalHost = url.getHost();
        for (int hop = 0; hop <= maxRedirects; hop++) {
            guard.check(url);
            HttpRequest.Builder get = HttpRequest.newBuilder(url).timeout(requestTimeout).GET();
            if (Objects.equals(url.getHost(), originalHost)) {
                authorization(request.credentials()).ifPresent(a -> get.header("Authorization", a));
            }
            HttpResponse<InputStream> response = send(get.build(), url);
            int status = response.statusCode();
            if (status >= 300 && status < 400 && status != 304) {
                URI next = redirectTarget(response, url);
                close(response);
                url = next;
                continue;
            }
            try (InputStream body = response.body()) {
                // The client's timeout ends at the headers; a slow body is cut off here.
                var deadline =
                        CompletableFuture.delayedExecutor(
                                requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
                var timedOut = new AtomicBoolean();
                var closer =
                        CompletableFuture.runAsync(
                                () -> {
                                    timedOut.set(true);
                                    close(response);
                                },
                                deadline);
                if (status == 200) {
                    long declared =
                            response.headers().firstValueAsLong("Content-Length").orElse(-1);
                    if (declared > maxBytes) {
                        throw new FetchException(
                                Reason.TOO_LARGE,
                                url
                                        + " is "
                                        + declared
                                        + " bytes, more than the limit of "
                                        + maxBytes);
                    }
                    try {
                        return new Fetched(
                                BoundedReads.readAtMost(body, maxBytes, url.toString()),
                                url.toString());
                    } catch (IOException e) {
                        if (timedOut.get()) {
                            throw new FetchException(
                                    Reason.TIMEOUT,
                                    "timed out reading " + url + " after " + requestTimeout,
                                    e);
                        }
                        throw e;
                    } finally {
                        closer.cancel(false);
                    }
                }
                closer.cancel(false);
                throw statusError(status, url);
            } catch (IOException e) {
                throw new FetchException(
                        Reason.IO_ERROR, "reading " + url + " failed: " + e.getMessage(), e);
            }
        }
        throw new FetchException(
                Reason.BAD_RESPONSE,
                "more than " + maxRedirects + " redirects from " + request.url());
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
        }
    }

    private static URI redirectTarget(HttpResponse<?> response, URI from) throws FetchException {
        String location =
                response.headers()
                        .firstValue("Location")
                        .orElseThrow(
                                () ->
                                        new FetchException(
                                                Reason.BAD_RESPONSE,
                                                from
                                                        + " answered "
                                                        + response.statusCode()
                                                        + " without a Location"));
        URI next = from.resolve(location);
        String scheme = next.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new FetchException(
                    Reason.REFUSED, from + " redirects to " + next + ", which is not http(s)");
        }
        return next;
    }

    private static FetchException statusError(int status, URI url) {
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

    private static Optional<String> authorization(Credentials credentials) {
        if (credentials.bearerToken().isPresent()) {
            return Optional.of("Bearer " + credentials.bearerToken().get());
        }
        if (credentials.username().isPresent()) {
            String pair = credentials.username().get() + ":" + credentials.password().orElse("");
            return Optional.of(
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // Nothing to do: the redirect body is not needed.
        }
    }

    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private int maxRedirects = 5;
        private AddressGuard guard = AddressGuard.ALLOW_ALL;
        private SSLContext sslContext;

        private Builder() {}

        public Builder withConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Time to the response headers and again for reading the body. */
        public Builder withRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder withMaxRedirects(int maxRedirects) {
            this.maxRedirects = maxRedirects;
            return this;
        }

        public Builder withGuard(AddressGuard guard) {
            this.guard = guard;
            return this;
        }

        /** Trust material other than the JDK's defaults (tests, private CAs). */
        public Builder withSslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public HttpSource build() {
            return new HttpSource(this);
        }
    }
}
