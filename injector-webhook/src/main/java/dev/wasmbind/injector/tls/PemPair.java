package dev.wasmbind.injector.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** A serving certificate chain and its private key, both PEM. */
public record PemPair(String certificateChain, String privateKey) {

    /**
     * Parses both halves and proves they belong together (the key signs, the certificate verifies),
     * so a half-written or mismatched pair is never handed to the TLS server.
     *
     * @return the leaf certificate
     */
    public X509Certificate validate() throws InvalidKeyMaterialException {
        List<X509Certificate> chain = certificates(certificateChain);
        if (chain.isEmpty()) {
            throw new InvalidKeyMaterialException("the certificate file holds no certificate");
        }
        X509Certificate leaf = chain.get(0);
        PrivateKey key = parsePrivateKey(privateKey);
        try {
            String algorithm =
                    key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = "wasmbind-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new InvalidKeyMaterialException(
                        "the private key does not belong to the certificate "
                                + leaf.getSubjectX500Principal());
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyMaterialException(
                    "the private key does not belong to the certificate "
                            + leaf.getSubjectX500Principal()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        return leaf;
    }

    @SuppressWarnings("unchecked")
    public static List<X509Certificate> certificates(String pem)
            throws InvalidKeyMaterialException {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (List<X509Certificate>)
                    (List<?>)
                            List.copyOf(
                                    factory.generateCertificates(
                                            new ByteArrayInputStream(
                                                    pem.getBytes(StandardCharsets.US_ASCII))));
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyMaterialException(
                    "cannot read the certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey parsePrivateKey(String pem) throws InvalidKeyMaterialException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new InvalidKeyMaterialException(
                    "the key file holds no unencrypted PEM private key (PKCS#1, SEC1 or PKCS#8)");
        } catch (IOException e) {
            throw new InvalidKeyMaterialException(
                    "cannot read the private key: " + e.getMessage(), e);
        }
    }
}
