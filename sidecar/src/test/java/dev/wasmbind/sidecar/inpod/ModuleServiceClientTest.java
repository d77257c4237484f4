package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ModuleServiceClientTest {

    @Test
    void shouldNameTheCaWhenTheCertificateIsRefused() {
        var refused = new SSLHandshakeException("PKIX path building failed");
        refused.initCause(new CertificateException("unable to find valid certification path"));

        assertThat(ModuleServiceClient.describeFailure("10.0.0.1:8443", refused))
                .startsWith("TLS with 10.0.0.1:8443 failed (is its certificate signed by the CA in")
                .contains(InPodSidecar.CA_ENV);
    }

    @Test
    void shouldCallAHandshakeCutByAClosingServiceUnreachable() {
        var cut = new SSLHandshakeException("Remote host terminated the handshake");
        cut.initCause(new EOFException("SSL peer shut down incorrectly"));

        assertThat(ModuleServiceClient.describeFailure("10.0.0.1:8443", cut))
                .startsWith("cannot reach 10.0.0.1:8443: ")
                .contains("Remote host terminated the handshake");
    }

    @Test
    void shouldCallARefusedConnectionUnreachable() {
        assertThat(
                        ModuleServiceClient.describeFailure(
                                "10.0.0.1:8443", new ConnectException("Connection refused")))
                .isEqualTo(
                        "cannot reach 10.0.0.1:8443: java.net.ConnectException: Connection"
                                + " refused");
    }
}
