package dev.wasmbind.injector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PemPairTest {

    private static final CertificateAuthority CA =
            CertificateAuthority.create("ca", Duration.ofDays(1));

    @Test
    void shouldAcceptAMatchingPair() throws Exception {
        PemPair pair = CA.issue(List.of("svc.ns.svc", "127.0.0.1"), Duration.ofDays(1));

        assertThat(pair.validate().getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1))
                .containsExactly("svc.ns.svc", "127.0.0.1");
    }

    @Test
    void shouldRejectAKeyOfAnotherCertificate() {
        PemPair a = CA.issue(List.of("a"), Duration.ofDays(1));
        PemPair b = CA.issue(List.of("b"), Duration.ofDays(1));

        assertThatThrownBy(() -> new PemPair(a.certificateChain(), b.privateKey()).validate())
                .isInstanceOf(InvalidKeyMaterialException.class)
                .hasMessageContaining("does not belong to the certificate CN=a");
    }

    @Test
    void shouldRejectAnEmptyOrTruncatedFile() {
        PemPair pair = CA.issue(List.of("a"), Duration.ofDays(1));

        assertThatThrownBy(() -> new PemPair("", pair.privateKey()).validate())
                .isInstanceOf(InvalidKeyMaterialException.class)
                .hasMessageContaining("no certificate");
        assertThatThrownBy(
                        () ->
                                new PemPair(
                                                pair.certificateChain(),
                                                pair.privateKey().substring(0, 40))
                                        .validate())
                .isInstanceOf(InvalidKeyMaterialException.class)
                .hasMessageContaining("private key");
    }
}
