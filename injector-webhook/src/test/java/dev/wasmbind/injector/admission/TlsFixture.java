package dev.wasmbind.injector.admission;

import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.PemPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A CA, a serving pair for 127.0.0.1 on disk, and a TLS client that trusts only that CA. */
final class TlsFixture {

    final CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofDays(1));
    final Path cert;
    final Path key;

    TlsFixture(Path dir) {
        this.cert = dir.resolve("tls.crt");
        this.key = dir.resolve("tls.key");
        write(issue());
    }

    PemPair issue() {
        return ca.issue(List.of("127.0.0.1"), Duration.ofDays(1));
    }

    /** Replaces the pair the way a mounted Secret changes: each file atomically. */
    void write(PemPair pair) {
        try {
            writeAtomically(cert, pair.certificateChain());
            writeAtomically(key, pair.privateKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "tmp", ".pem");
        Files.writeString(tmp, content);
        Files.move(
                tmp,
                target,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A new client, hence a new TLS connection (and handshake) for each call site. */
    HttpClient client() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder()
                    .sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<byte[]> post(HttpClient client, int port, byte[] body) {
        return send(
                client,
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/mutate"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build());
    }

    static HttpResponse<byte[]> get(HttpClient client, int port, String path) {
        return send(
                client,
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path)).build());
    }

    static X509Certificate servedCertificate(HttpResponse<?> response) {
        try {
            return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
