package dev.wasmbind.sidecar.inpod;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA made at test time and a server certificate for 127.0.0.1 it signed, as PEM: what the chart's
 * genCA gives the operator (server) and the injector hands the sidecar (CA only). (module-loader's
 * SelfSignedTls gives SSLContexts only; the sidecar needs the CA as PEM.)
 */
final class TestCa {

    final String caPem;
    final String serverCertPem;
    final String serverKeyPem;

    private TestCa(String caPem, String serverCertPem, String serverKeyPem) {
        this.caPem = caPem;
        this.serverCertPem = serverCertPem;
        this.serverKeyPem = serverKeyPem;
    }

    static TestCa create(String name) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=" + name);
        var ca =
                new JcaX509v3CertificateBuilder(
                        caName,
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofMinutes(5))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        caName,
                        caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate caCert = sign(ca, caKeys);
        var server =
                new JcaX509v3CertificateBuilder(
                        caName,
                        BigInteger.valueOf(now.toEpochMilli() + 1),
                        Date.from(now.minus(Duration.ofMinutes(5))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        new X500Name("CN=127.0.0.1"),
                        serverKeys.getPublic());
        server.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate serverCert = sign(server, caKeys);
        return new TestCa(
                pem(caCert),
                pem(serverCert),
                pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null)));
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
            throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(
                                new JcaContentSignerBuilder("SHA256withRSA")
                                        .build(signer.getPrivate())));
    }

    private static String pem(Object object) throws Exception {
        var out = new StringWriter();
        try (var writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
