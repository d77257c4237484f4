package dev.wasmbind.module.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The tests' certificate authority, made at test time: a CA and a serving certificate for 127.0.0.1
 * it signed (EC P-256, valid for a day). Servers take it as PEM files or strings (what the chart's
 * Secret or cert-manager mounts) or as an SSLContext; clients trust the CA as PEM (what the
 * injector hands the sidecar) or through {@link #trustingClientContext()}. Every instance is its
 * own CA, so a client trusting one refuses another's server. (The injector's main-code {@code
 * CertificateAuthority} is the product's CA, not a test helper.)
 */
public final class TestCa {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "test".toCharArray();

    private final X509Certificate ca;
    private final X509Certificate server;
    private final KeyPair serverKeys;

    private TestCa(X509Certificate ca, X509Certificate server, KeyPair serverKeys) {
        this.ca = ca;
        this.server = server;
        this.serverKeys = serverKeys;
    }

    /** A CA named {@code CN=name} and a serving certificate for 127.0.0.1 it signed. */
    public static TestCa create(String name) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        X500Name caName = new X500Name("CN=" + name);
        var ca = builder(caName, caName, caKeys);
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        var server = builder(caName, new X500Name("CN=127.0.0.1"), serverKeys);
        server.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new TestCa(sign(ca, caKeys), sign(server, caKeys), serverKeys);
    }

    /** {@link #create} with a fixed CA name. */
    public static TestCa forLoopback() throws Exception {
        return create("wasmbind-test-ca");
    }

    private static JcaX509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
            throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(
                                new JcaContentSignerBuilder("SHA256withECDSA")
                                        .build(signer.getPrivate())));
    }

    /** The CA certificate as PEM: what clients trust. */
    public String caPem() {
        return pem(ca);
    }

    /** The serving certificate as PEM. */
    public String serverCertPem() {
        return pem(server);
    }

    /** The serving key as PEM (PKCS#8). */
    public String serverKeyPem() {
        return pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded());
    }

    /** Writes the serving certificate and key as PEM files (a {@code tls.crt}/{@code tls.key}). */
    public TestCa writeServerPem(Path certFile, Path keyFile) throws IOException {
        Files.writeString(certFile, serverCertPem());
        Files.writeString(keyFile, serverKeyPem());
        return this;
    }

    /** A server SSLContext presenting the serving certificate (and the CA after it). */
    public SSLContext serverContext() throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry(
                "server", serverKeys.getPrivate(), PASSWORD, new X509Certificate[] {server, ca});
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /** A client SSLContext that trusts this CA and nothing else. */
    public SSLContext trustingClientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + new String(
                        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encode(der),
                        StandardCharsets.US_ASCII)
                + "\n-----END "
                + type
                + "-----\n";
    }
}
