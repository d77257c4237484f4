package dev.wasmbind.operator.guard;

import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchException.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The operator's outbound fetch policy. A WasmBinding's URL is chosen by whoever may create one, so
 * by default the operator refuses to fetch from loopback, link-local and cloud metadata addresses
 * (its own pod, the node, the cloud's credentials endpoint). The host is resolved and every address
 * checked, on the first URL and on every redirect. Allow lists open exceptions (an in-cluster
 * registry on a link-local address, a test server on loopback); deny lists close more.
 *
 * <p>Order: a denied host or CIDR always wins; then an allowed host or CIDR; then the defaults.
 */
public final class NetworkGuard implements AddressGuard {

    /** Hosts that answer with cloud credentials, refused by name before any DNS lookup. */
    static final Set<String> METADATA_HOSTS =
            Set.of(
                    "metadata.google.internal",
                    "metadata.goog",
                    "metadata",
                    "instance-data",
                    "instance-data.ec2.internal");

    /** Metadata endpoints that are not link-local and so need naming. */
    static final List<Cidr> METADATA_ADDRESSES =
            List.of(
                    Cidr.parse("169.254.169.254/32"),
                    Cidr.parse("169.254.170.2/32"),
                    Cidr.parse("fd00:ec2::254/128"),
                    Cidr.parse("100.100.100.200/32"));

    /** Resolves a host to all its addresses; a seam so tests can fake DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> allowHosts;
    private final Set<String> denyHosts;
    private final List<Cidr> allowCidrs;
    private final List<Cidr> denyCidrs;
    private final Resolver resolver;

    private NetworkGuard(Builder builder) {
        this.allowHosts = lower(builder.allowHosts);
        this.denyHosts = lower(builder.denyHosts);
        this.allowCidrs = List.copyOf(builder.allowCidrs);
        this.denyCidrs = List.copyOf(builder.denyCidrs);
        this.resolver = builder.resolver;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void check(URI url) throws FetchException {
        String host = normalize(url.getHost());
        if (host == null || host.isEmpty()) {
            throw blocked(url + " has no host");
        }
        if (matches(denyHosts, host)) {
            throw blocked("host " + host + " is on the operator's deny list");
        }
        boolean hostAllowed = matches(allowHosts, host);
        if (!hostAllowed && METADATA_HOSTS.contains(host)) {
            throw blocked(host + " is a cloud metadata host; the operator does not fetch from it");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "cannot resolve host " + host + " of " + url, e);
        }
        for (InetAddress address : addresses) {
            checkAddress(host, address, hostAllowed);
        }
    }

    private void checkAddress(String host, InetAddress address, boolean hostAllowed)
            throws FetchException {
        String ip = address.getHostAddress();
        for (Cidr deny : denyCidrs) {
            if (deny.contains(address)) {
                throw blocked(host + " resolves to " + ip + ", in the denied range " + deny);
            }
        }
        if (hostAllowed || allowCidrs.stream().anyMatch(c -> c.contains(address))) {
            return;
        }
        String kind = defaultBlockedKind(address);
        if (kind != null) {
            throw blocked(
                    host
                            + " resolves to "
                            + ip
                            + ", a "
                            + kind
                            + " address the operator refuses by default (allow it with"
                            + " --allow-hosts or --allow-cidrs)");
        }
    }

    /** Why an address is refused by default, or null when it is not. */
    static String defaultBlockedKind(InetAddress address) {
        if (METADATA_ADDRESSES.stream().anyMatch(c -> c.contains(address))) {
            return "cloud metadata";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isAnyLocalAddress()) {
            return "wildcard";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        return null;
    }

    private static boolean matches(Set<String> patterns, String host) {
        for (String pattern : patterns) {
            if (pattern.startsWith("*.")
                    ? host.endsWith(pattern.substring(1))
                    : pattern.equals(host)) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static Set<String> lower(List<String> hosts) {
        return Set.copyOf(hosts.stream().map(NetworkGuard::normalize).toList());
    }

    private static FetchException blocked(String message) {
        return new FetchException(Reason.BLOCKED_ADDRESS, message);
    }

    @Override
    public String toString() {
        return "NetworkGuard[allowHosts="
                + allowHosts
                + ", denyHosts="
                + denyHosts
                + ", allowCidrs="
                + allowCidrs
                + ", denyCidrs="
                + denyCidrs
                + "]";
    }

    public static final class Builder {
        private final List<String> allowHosts = new ArrayList<>();
        private final List<String> denyHosts = new ArrayList<>();
        private final List<Cidr> allowCidrs = new ArrayList<>();
        private final List<Cidr> denyCidrs = new ArrayList<>();
        private Resolver resolver = InetAddress::getAllByName;

        private Builder() {}

        /** Hosts ({@code name} or {@code *.suffix}) fetched from whatever they resolve to. */
        public Builder allowHosts(List<String> hosts) {
            allowHosts.addAll(hosts);
            return this;
        }

        public Builder denyHosts(List<String> hosts) {
            denyHosts.addAll(hosts);
            return this;
        }

        public Builder allowCidrs(List<Cidr> cidrs) {
            allowCidrs.addAll(cidrs);
            return this;
        }

        public Builder denyCidrs(List<Cidr> cidrs) {
            denyCidrs.addAll(cidrs);
            return this;
        }

        public Builder withResolver(Resolver resolver) {
            this.resolver = resolver;
            return this;
        }

        public NetworkGuard build() {
            return new NetworkGuard(this);
        }
    }
}
