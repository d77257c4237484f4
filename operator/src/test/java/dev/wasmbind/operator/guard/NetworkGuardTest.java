package dev.wasmbind.operator.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchException.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkGuardTest {

    /** Fake DNS: names resolve to what the map says, so no test depends on real DNS. */
    private static final Map<String, String> DNS =
            Map.of(
                    "registry.example", "203.0.113.10",
                    "sneaky.example", "127.0.0.1",
                    "dual.example", "203.0.113.11,169.254.169.254",
                    "internal.example", "10.1.2.3",
                    "v6loop.example", "::1",
                    "metadata.google.internal", "169.254.169.254");

    private static NetworkGuard.Builder guard() {
        return NetworkGuard.builder().withResolver(NetworkGuardTest::resolve);
    }

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String addresses = DNS.get(host);
        if (addresses == null) {
            if (host.matches("[0-9a-f:.]+")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            throw new UnknownHostException(host);
        }
        String[] parts = addresses.split(",");
        InetAddress[] out = new InetAddress[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = InetAddress.getByName(parts[i]);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1/m.wasm",
                "http://sneaky.example/m.wasm",
                "http://v6loop.example/m.wasm",
                "http://[::1]:8080/m.wasm",
                "http://169.254.169.254/latest/meta-data",
                "http://169.254.10.1/m.wasm",
                "http://[fd00:ec2::254]/m.wasm",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://0.0.0.0/m.wasm",
                "oci://127.0.0.1:5000/repo:tag"
            })
    void shouldRefuseLoopbackLinkLocalAndMetadataByDefault(String url) {
        assertThatThrownBy(() -> guard().build().check(URI.create(url)))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BLOCKED_ADDRESS));
    }

    @Test
    void shouldRefuseWhenAnyResolvedAddressIsRefused() {
        assertThatThrownBy(() -> guard().build().check(URI.create("https://dual.example/m.wasm")))
                .hasMessageContaining("169.254.169.254")
                .hasMessageContaining("cloud metadata");
    }

    @Test
    void shouldAllowPublicAndPrivateAddressesByDefault() {
        NetworkGuard guard = guard().build();
        assertThatCode(() -> guard.check(URI.create("https://registry.example/m.wasm")))
                .doesNotThrowAnyException();
        assertThatCode(() -> guard.check(URI.create("http://internal.example/m.wasm")))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldLetAllowListsOpenExceptions() throws Exception {
        guard().allowHosts(List.of("sneaky.example"))
                .build()
                .check(URI.create("http://sneaky.example/"));
        guard().allowCidrs(List.of(Cidr.parse("127.0.0.0/8")))
                .build()
                .check(URI.create("http://127.0.0.1:9/"));
        guard().allowHosts(List.of("*.google.internal"))
                .build()
                .check(URI.create("http://metadata.google.internal/"));
    }

    @Test
    void shouldLetDenyListsWinOverAllowLists() {
        NetworkGuard guard =
                guard().allowHosts(List.of("internal.example"))
                        .denyCidrs(List.of(Cidr.parse("10.0.0.0/8")))
                        .denyHosts(List.of("*.evil.example"))
                        .build();
        assertThatThrownBy(() -> guard.check(URI.create("http://internal.example/")))
                .hasMessageContaining("10.1.2.3")
                .hasMessageContaining("denied range 10.0.0.0/8");
        assertThatThrownBy(() -> guard.check(URI.create("http://a.evil.example/")))
                .hasMessageContaining("deny list");
    }

    @Test
    void shouldSayWhenAHostDoesNotResolve() {
        assertThatThrownBy(() -> guard().build().check(URI.create("http://nowhere.example/")))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.IO_ERROR))
                .hasMessageContaining("cannot resolve host nowhere.example");
    }

    @Test
    void shouldMatchCidrRanges() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        Cidr odd = Cidr.parse("192.168.1.128/25");
        Cidr v6 = Cidr.parse("fd00::/8");
        assertThat(ten.contains(address("10.255.0.1"))).isTrue();
        assertThat(ten.contains(address("11.0.0.1"))).isFalse();
        assertThat(odd.contains(address("192.168.1.200"))).isTrue();
        assertThat(odd.contains(address("192.168.1.100"))).isFalse();
        assertThat(v6.contains(address("fd12::1"))).isTrue();
        assertThat(v6.contains(address("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).hasMessageContaining("not a CIDR");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
