package dev.wasmbind.module.source;

import java.net.URI;
import java.util.Optional;

/**
 * What to fetch.
 *
 * @param url the module's URL ({@code file}, {@code http}, {@code https}, {@code oci})
 * @param expectedSha256 an optional pin: lowercase hex SHA-256 the content must have
 * @param credentials credentials for the source, {@link Credentials#none()} when there are none
 */
public record FetchRequest(URI url, Optional<String> expectedSha256, Credentials credentials) {

    public static FetchRequest of(URI url) {
        return new FetchRequest(url, Optional.empty(), Credentials.none());
    }

    public FetchRequest withExpectedSha256(String sha256) {
        return new FetchRequest(url, Optional.ofNullable(sha256), credentials);
    }

    public FetchRequest withCredentials(Credentials credentials) {
        return new FetchRequest(url, expectedSha256, credentials);
    }
}
