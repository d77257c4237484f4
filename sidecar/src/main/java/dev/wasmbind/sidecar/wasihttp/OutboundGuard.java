package dev.wasmbind.sidecar.wasihttp;

import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.source.FetchException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * The sidecar's address guard for guest requests: whatever a binding allows, a guest never reaches
 * cloud metadata services, link-local or unspecified addresses (the host name is resolved and every
 * address checked, so a name pointing there is refused too).
 */
public final class OutboundGuard {

    private static final Set<String> METADATA_NAMES =
            Set.of("metadata.google.internal", "metadata", "instance-data", "metadata.azure.com");

    /** Refuses metadata, link-local and unspecified addresses. */
    public static final AddressGuard DEFAULT = OutboundGuard::check;

    private OutboundGuard() {}

    private static void check(URI url) throws FetchException {
        String host = url.getHost();
        if (host == null) {
            throw blocked(url, "no host");
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (METADATA_NAMES.contains(name)) {
            throw blocked(url, "a cloud metadata service");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new FetchException(FetchException.Reason.IO_ERROR, "unknown host " + host, e);
        }
        for (InetAddress address : addresses) {
            if (address.isLinkLocalAddress()) {
                throw blocked(url, "link-local (cloud metadata lives there): " + address);
            }
            if (address.isAnyLocalAddress()) {
                throw blocked(url, "an unspecified address: " + address);
            }
            byte[] raw = address.getAddress();
            // fd00:ec2::254, the IPv6 address of the EC2 metadata service
            if (raw.length == 16
                    && (raw[0] & 0xff) == 0xfd
                    && raw[1] == 0
                    && (raw[2] & 0xff) == 0x0e
                    && (raw[3] & 0xff) == 0xc2
                    && (raw[15] & 0xff) == 0x54
                    && (raw[14] & 0xff) == 0x02) {
                throw blocked(url, "a cloud metadata service: " + address);
            }
        }
    }

    private static FetchException blocked(URI url, String why) {
        return new FetchException(
                FetchException.Reason.BLOCKED_ADDRESS,
                "outbound request to " + url.getHost() + " refused: " + why);
    }
}
