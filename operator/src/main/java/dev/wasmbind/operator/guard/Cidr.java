package dev.wasmbind.operator.guard;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 range such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Cidr(byte[] network, int prefixLength, String text) {

    /** Parses {@code address/prefix}; a bare address is a single-host range. */
    public static Cidr parse(String text) {
        String value = text.strip();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)");
        }
        byte[] bytes;
        try {
            // Only literal addresses reach here (checked above), so no DNS lookup happens.
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR range", e);
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no numeric prefix length", e);
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException(
                    "'" + text + "': prefix length must be 0.." + bytes.length * 8);
        }
        return new Cidr(bytes, prefix, value);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = 0xFF << (8 - remainingBits) & 0xFF;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
