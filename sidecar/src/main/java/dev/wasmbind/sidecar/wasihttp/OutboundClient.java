package dev.wasmbind.sidecar.wasihttp;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.sidecar.wasihttp.OutboundMetrics.Outcome;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a guest's request with the JDK client once the binding's policy and the address guard allow
 * it: the binding's timeout bounds the whole exchange and the response body is capped. Redirects
 * are followed as Go's default client (Dapr's host) follows them, up to 10, each hop checked
 * against the policy and the guard again, so a redirect cannot lead past them.
 */
final class OutboundClient {

    /** A response, its body read in full. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {}

    /**
     * Built on the first request a guest sends, not when a call opens its session: the JDK client
     * sets up TLS and a selector thread (about 450 classes and a few MiB of a sidecar's RSS) that
     * guests without outbound HTTP never need.
     */
    private static final class Shared {
        static final HttpClient CLIENT =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build();

        private Shared() {}
    }

    private final OutboundPolicy policy;
    private final AddressGuard guard;

    OutboundClient(OutboundPolicy policy, AddressGuard guard) {
        this.policy = policy;
        this.guard = guard;
    }

    Response send(String method, URI url, Map<String, List<String>> headers, byte[] body)
            throws OutboundException {
        long deadline = System.nanoTime() + policy.timeout().toNanos();
        String currentMethod = method;
        URI current = url;
        byte[] currentBody = body;
        Map<String, List<String>> currentHeaders = headers;
        for (int redirects = 0; ; redirects++) {
            check(current);
            HttpResponse<byte[]> response =
                    exchange(currentMethod, current, currentHeaders, currentBody, deadline);
            String location = response.headers().firstValue("location").orElse("");
            if (!isRedirect(response.statusCode()) || location.isEmpty()) {
                return new Response(
                        response.statusCode(), response.headers().map(), response.body());
            }
            // Go's http.DefaultClient (Dapr's host) follows up to 10 redirects.
            if (redirects == MAX_REDIRECTS) {
                throw new OutboundException(
                        Outcome.FAILED,
                        currentMethod + " " + url + " failed: stopped after 10 redirects");
            }
            URI next;
            try {
                next = current.resolve(GoHttp.escape(location));
            } catch (IllegalArgumentException e) {
                throw new OutboundException(
                        Outcome.FAILED,
                        currentMethod
                                + " "
                                + current
                                + " failed: bad redirect location "
                                + location);
            }
            int status = response.statusCode();
            if (status == 301 || status == 302 || status == 303) {
                currentBody = null;
                if (!currentMethod.equals("GET") && !currentMethod.equals("HEAD")) {
                    currentMethod = "GET";
                }
            }
            currentHeaders = redirectHeaders(headers, url, current, next);
            current = next;
        }
    }

    private static final int MAX_REDIRECTS = 10;
    private static final List<String> SENSITIVE =
            List.of("authorization", "www-authenticate", "cookie", "cookie2");

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * The guest's headers for the next hop, as Go's client copies them: credentials only to the
     * first request's host or its subdomains, and a {@code Referer} unless leaving https for http.
     */
    private static Map<String, List<String>> redirectHeaders(
            Map<String, List<String>> original, URI first, URI previous, URI next) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        String firstHost = first.getHost() == null ? "" : first.getHost().toLowerCase(Locale.ROOT);
        String nextHost = next.getHost() == null ? "" : next.getHost().toLowerCase(Locale.ROOT);
        boolean sameDomain = nextHost.equals(firstHost) || nextHost.endsWith("." + firstHost);
        original.forEach(
                (name, values) -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    if ((sameDomain || !SENSITIVE.contains(lower)) && !lower.equals("referer")) {
                        copy.put(name, values);
                    }
                });
        if (!("https".equalsIgnoreCase(previous.getScheme())
                && "http".equalsIgnoreCase(next.getScheme()))) {
            try {
                copy.put(
                        "Referer",
                        List.of(
                                new URI(
                                                previous.getScheme(),
                                                null,
                                                previous.getHost(),
                                                previous.getPort(),
                                                previous.getPath(),
                                                previous.getQuery(),
                                                null)
                                        .toASCIIString()));
            } catch (URISyntaxException e) {
                // no Referer then
            }
        }
        return copy;
    }

    /** The binding's policy and the address guard, for every hop. */
    private void check(URI url) throws OutboundException {
        String refusal = policy.refusal(url);
        if (refusal != null) {
            throw new OutboundException(Outcome.REFUSED, refusal);
        }
        try {
            guard.check(url);
        } catch (FetchException e) {
            throw new OutboundException(
                    e.reason() == FetchException.Reason.BLOCKED_ADDRESS
                            ? Outcome.REFUSED
                            : Outcome.FAILED,
                    e.getMessage());
        }
    }

    private HttpResponse<byte[]> exchange(
            String method, URI url, Map<String, List<String>> headers, byte[] body, long deadline)
            throws OutboundException {
        long remaining = Math.max(1, deadline - System.nanoTime());
        HttpRequest.Builder request =
                HttpRequest.newBuilder(url)
                        .timeout(Duration.ofNanos(remaining))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if ("http".equalsIgnoreCase(url.getScheme())) {
            // As Go's client: HTTP/1.1 in clear text, no h2c upgrade (HTTP/2 only through ALPN).
            request.version(HttpClient.Version.HTTP_1_1);
        }
        headers.forEach(
                (name, values) -> {
                    for (String value : values) {
                        try {
                            request.header(name, value);
                        } catch (IllegalArgumentException e) {
                            // Host, Content-Length, Connection...: the client sets them itself.
                        }
                    }
                });
        CompletableFuture<HttpResponse<byte[]>> pending =
                Shared.CLIENT.sendAsync(
                        request.build(),
                        info ->
                                isRedirect(info.statusCode())
                                                && info.headers().firstValue("location").isPresent()
                                        ? HttpResponse.BodySubscribers.replacing(new byte[0])
                                        : new CappedBody(policy.maxResponseBytes()));
        try {
            return pending.get(remaining, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new ChicoryInterruptedException("Thread interrupted");
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw timedOut(method, url);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw timedOut(method, url);
            }
            throw new OutboundException(
                    Outcome.FAILED,
                    method
                            + " "
                            + url
                            + " failed: "
                            + (cause.getMessage() == null
                                    ? cause.getClass().getSimpleName()
                                    : cause.getMessage()));
        }
    }

    private OutboundException timedOut(String method, URI url) {
        return new OutboundException(
                Outcome.FAILED,
                method
                        + " "
                        + url
                        + " timed out after "
                        + policy.timeout().toMillis()
                        + " ms (limits.timeout)");
    }

    /** Collects a body, failing once it passes the cap instead of holding it all. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(long cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + (long) buffer.remaining() > cap) {
                    subscription.cancel();
                    result.completeExceptionally(
                            new IllegalStateException(
                                    "the response body is larger than "
                                            + cap
                                            + " bytes (limits.maxResponseBytes)"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
