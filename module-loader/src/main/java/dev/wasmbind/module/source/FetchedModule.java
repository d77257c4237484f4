package dev.wasmbind.module.source;

/**
 * Module bytes as fetched, with their digest.
 *
 * @param bytes the module
 * @param sha256 lowercase hex SHA-256 of {@code bytes}
 * @param resolvedFrom where the bytes really came from (a file path, the final URL after redirects,
 *     or an OCI reference pinned to its manifest digest)
 */
public record FetchedModule(byte[] bytes, String sha256, String resolvedFrom) {

    /** {@code sha256:<hex>}, the form used in status and the content-addressed cache. */
    public String digest() {
        return "sha256:" + sha256;
    }
}
