package dev.wasmbind.module.source;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: the project names content by lowercase hex SHA-256. */
public final class Digests {

    private Digests() {}

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Accepts {@code <hex>} or {@code sha256:<hex>}; returns the lowercase hex. */
    public static String normalizeSha256(String pin) {
        String hex = pin.startsWith("sha256:") ? pin.substring("sha256:".length()) : pin;
        hex = hex.toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "'" + pin + "' is not a SHA-256 digest (64 hex characters)");
        }
        return hex;
    }
}
