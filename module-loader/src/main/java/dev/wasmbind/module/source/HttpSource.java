package dev.wasmbind.module.source;

import dev.wasmbind.module.source.FetchException.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * {@code http://} and {@code https://} URLs: TLS verified, timeouts, a size cap and a limited
 * number of redirects, each checked by the {@link AddressGuard} ({@link GuardedHttp}). Basic or
 * bearer credentials are sent only when their owner allowed the URL's host, and only to the URL's
 * origin: never along a redirect to another scheme, host or port.
 */
public final class HttpSource implements ModuleSource {

    private final GuardedHttp http;

    private HttpSource(FetchPolicy policy) {
        this.http = new GuardedHttp(policy);
    }

    /** A source that reaches URLs as {@code policy} says (guard, timeouts, redirects, trust). */
    public static HttpSource of(FetchPolicy policy) {
        return new HttpSource(policy);
    }

    @Override
    public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
        URI url = request.url();
        Instant deadline = http.deadline();
        try (GuardedHttp.Response response =
                http.get(url, Map.of(), authorization(url, request.credentials()), deadline)) {
            if (response.status() != 200) {
                throw GuardedHttp.statusError(response.status(), response.url());
            }
            byte[] bytes = http.readBody(response, maxBytes, deadline, response.url().toString());
            return new Fetched(bytes, response.url().toString());
        }
    }

    /** The header for {@code url}, refusing credentials whose owner did not allow its host. */
    private static Optional<String> authorization(URI url, Credentials credentials)
            throws FetchException {
        if (!credentials.hasHostBound()) {
            return Optional.empty();
        }
        if (!credentials.allowsHost(url)) {
            throw new FetchException(
                    Reason.REFUSED,
                    "the pull secret may not be sent to "
                            + url.getHost()
                            + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                            + " (it allows "
                            + (credentials.allowedHosts().isEmpty()
                                    ? "no host"
                                    : String.join(
                                            ", ",
                                            credentials.allowedHosts().stream().sorted().toList()))
                            + ")");
        }
        if (credentials.bearerToken().isPresent()) {
            return Optional.of("Bearer " + credentials.bearerToken().get());
        }
        return Optional.of(basic(credentials.username().get(), credentials.password().orElse("")));
    }

    static String basic(String username, String password) {
        String pair = username + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
