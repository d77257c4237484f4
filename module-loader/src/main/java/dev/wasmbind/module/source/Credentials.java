package dev.wasmbind.module.source;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Credentials for a fetch, read from a WasmBinding's {@code pullSecret}: HTTP basic or bearer auth,
 * or a {@code .dockerconfigjson} document for registries.
 *
 * <p>Basic and bearer credentials go only to the hosts their owner named ({@link #allowedHosts}:
 * {@code host} for any port or {@code host:port}); a {@code .dockerconfigjson} carries its own
 * binding, since each entry is keyed by the registry it is for. Sources never send credentials to
 * an origin (scheme, host, port) other than the one of the URL they were given for.
 */
public record Credentials(
        Optional<String> username,
        Optional<String> password,
        Optional<String> bearerToken,
        Optional<String> dockerConfigJson,
        Set<String> allowedHosts) {

    public Credentials {
        allowedHosts =
                allowedHosts.stream()
                        .map(h -> h.strip().toLowerCase(Locale.ROOT))
                        .filter(h -> !h.isEmpty())
                        .collect(Collectors.toUnmodifiableSet());
    }

    public static Credentials none() {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of());
    }

    /** Basic auth; it goes nowhere until {@link #forHosts} names where it may go. */
    public static Credentials basic(String username, String password) {
        return new Credentials(
                Optional.of(username),
                Optional.of(password),
                Optional.empty(),
                Optional.empty(),
                Set.of());
    }

    /** A bearer token; it goes nowhere until {@link #forHosts} names where it may go. */
    public static Credentials bearer(String token) {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.of(token), Optional.empty(), Set.of());
    }

    public static Credentials dockerConfig(String json) {
        return new Credentials(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(json), Set.of());
    }

    /** The hosts ({@code host} or {@code host:port}) basic or bearer credentials may go to. */
    public Credentials forHosts(Set<String> hosts) {
        return new Credentials(username, password, bearerToken, dockerConfigJson, hosts);
    }

    /** True when there are basic or bearer credentials (the kinds bound by allowed hosts). */
    public boolean hasHostBound() {
        return username.isPresent() || bearerToken.isPresent();
    }

    /** True when basic or bearer credentials may be sent to {@code url}'s host and port. */
    public boolean allowsHost(URI url) {
        return allowsHostPort(hostOf(url), url.getPort());
    }

    /** True when basic or bearer credentials may be sent to {@code host} on {@code port}. */
    public boolean allowsHostPort(String host, int port) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        for (String allowed : allowedHosts) {
            String a =
                    allowed.startsWith("[")
                            ? allowed.replaceFirst("^\\[(.*)](.*)$", "$1$2")
                            : allowed;
            if (a.equals(h) || (port >= 0 && a.equals(h + ":" + port))) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(URI url) {
        return url.getHost();
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
                + ", allowedHosts="
                + allowedHosts
                + "]";
    }
}
