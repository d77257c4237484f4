package dev.wasmbind.sidecar.wasihttp;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.sidecar.wasihttp.OutboundMetrics.Outcome;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
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
 * are not followed (the guest sees the 3xx), so a redirect cannot lead past the guard.
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
        HttpRequest.Builder request =
                HttpRequest.newBuilder(url)
                        .timeout(policy.timeout())
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
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
                        request.build(), info -> new CappedBody(policy.maxResponseBytes()));
        try {
            HttpResponse<byte[]> response =
                    pending.get(policy.timeout().toMillis(), TimeUnit.MILLISECONDS);
            return new Response(response.statusCode(), response.headers().map(), response.body());
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
