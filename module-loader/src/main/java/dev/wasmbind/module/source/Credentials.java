package dev.wasmbind.module.source;

import java.util.Optional;

/**
 * Credentials for a fetch, read from a WasmBinding's {@code pullSecret}: HTTP basic or bearer auth,
 * or a {@code .dockerconfigjson} document for registries.
 */
public record Credentials(
        Optional<String> username,
        Optional<String> password,
        Optional<String> bearerToken,
        Optional<String> dockerConfigJson) {

    public static Credentials none() {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static Credentials basic(String username, String password) {
        return new Credentials(
                Optional.of(username), Optional.of(password), Optional.empty(), Optional.empty());
    }

    public static Credentials bearer(String token) {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.of(token), Optional.empty());
    }

    public static Credentials dockerConfig(String json) {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(json));
    }

    /** Never print secrets. */
    @Override
    public String toString() {
        return "Credentials[basic="
                + username.isPresent()
                + ", bearer="
                + bearerToken.isPresent()
                + ", dockerConfig="
                + dockerConfigJson.isPresent()
                + "]";
    }
}
