package dev.wasmbind.sidecar.wasihttp;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where a binding's guest may send HTTP requests, and within which limits. Safe by default: a
 * binding lists the hosts it may call ({@code spec.outbound.allowedHosts}); {@code *} allows every
 * host (what a Dapr Component file gets, as in Dapr). The address guard applies either way.
 *
 * @param binding the binding's name (metrics, messages)
 * @param allowedHosts host, host:port or {@code *.domain} patterns; {@code *} allows all
 * @param strictSandbox whether the binding runs in strict mode, where outbound HTTP is refused
 * @param timeout bounds each request, from connect to the last body byte
 * @param maxResponseBytes the most a response body may hold
 */
public record OutboundPolicy(
        String binding,
        List<String> allowedHosts,
        boolean strictSandbox,
        Duration timeout,
        long maxResponseBytes) {

    /** The pattern that allows every host (Dapr's behaviour). */
    public static final String ALLOW_ALL = "*";

    /** No outbound access at all. */
    public static final OutboundPolicy NONE =
            new OutboundPolicy("", List.of(), false, Duration.ofSeconds(30), 4L * 1024 * 1024);

    public OutboundPolicy {
        allowedHosts = List.copyOf(allowedHosts);
    }

    /**
     * Why {@code url} may not be called, or {@code null} when it may (the address guard comes after
     * this, on the resolved addresses).
     */
    public String refusal(URI url) {
        if (strictSandbox) {
            return "outbound HTTP is refused in strictSandbox mode (as in Dapr)";
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https URLs can be called, not " + url;
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return "the URL " + url + " has no host";
        }
        if (!allows(host, port(url))) {
            return "host "
                    + host
                    + ":"
                    + port(url)
                    + " is not in spec.outbound.allowedHosts of binding "
                    + binding
                    + (allowedHosts.isEmpty()
                            ? " (empty: the binding has no outbound access)"
                            : " " + allowedHosts);
        }
        return null;
    }

    private boolean allows(String host, int port) {
        String h = stripBrackets(host).toLowerCase(Locale.ROOT);
        for (String pattern : allowedHosts) {
            if (matches(pattern.trim().toLowerCase(Locale.ROOT), h, port)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String host, int port) {
        if (pattern.equals(ALLOW_ALL)) {
            return true;
        }
        String hostPattern = pattern;
        int colon = pattern.lastIndexOf(':');
        // host:port, [v6]:port; a bare IPv6 address has more than one colon and no brackets
        if (colon > 0 && (pattern.startsWith("[") || pattern.indexOf(':') == colon)) {
            String portPart = pattern.substring(colon + 1);
            hostPattern = pattern.substring(0, colon);
            if (!portPart.equals("*") && !portPart.equals(Integer.toString(port))) {
                return false;
            }
        }
        hostPattern = stripBrackets(hostPattern);
        if (hostPattern.startsWith("*.")) {
            return host.endsWith(hostPattern.substring(1));
        }
        return host.equals(hostPattern);
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
    }

    static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }
}
