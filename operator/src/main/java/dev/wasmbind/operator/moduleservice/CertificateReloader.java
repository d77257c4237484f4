package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.module.source.Digests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the PEM certificate and key from files and swaps them into the running server when their
 * content changes (a renewed Secret, cert-manager's rotation). Polls the content rather than
 * watching the directory: a mounted Secret changes through a symlink swap that file watches miss.
 * Connections open keep their session; new handshakes get the new certificate.
 */
final class CertificateReloader {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final Vertx vertx;
    private final Path certFile;
    private final Path keyFile;
    private final ModuleServiceMetrics metrics;
    private String loaded;
    private long timer = -1;

    CertificateReloader(Vertx vertx, Path certFile, Path keyFile, ModuleServiceMetrics metrics) {
        this.vertx = vertx;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.metrics = metrics;
    }

    /** The options for the server's start; fails with the file's name when one is unreadable. */
    PemKeyCertOptions initial() throws IOException {
        Pem pem = read();
        loaded = pem.hash();
        return pem.options();
    }

    /**
     * Checks the files every {@code interval}, reloading {@code server}'s certificate on change.
     */
    void watch(HttpServer server, Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> check(server));
    }

    /** One check now; the future says whether the certificate changed. */
    Future<Boolean> check(HttpServer server) {
        return vertx.executeBlocking(this::read, false)
                .compose(
                        pem -> {
                            if (pem.hash().equals(loaded)) {
                                return Future.succeededFuture(false);
                            }
                            SSLOptions options = new SSLOptions().setKeyCertOptions(pem.options());
                            return server.updateSSLOptions(options, true)
                                    .map(
                                            updated -> {
                                                loaded = pem.hash();
                                                metrics.certificateReload("ok");
                                                LOG.info(
                                                        "module service certificate reloaded"
                                                                + " from {}",
                                                        certFile);
                                                return true;
                                            });
                        })
                .onFailure(
                        e -> {
                            // A half-written rotation (new cert, old key) fails here and
                            // succeeds on a later check; the old certificate stays in use.
                            metrics.certificateReload("failed");
                            LOG.warn(
                                    "cannot reload the module service certificate: {}",
                                    e.getMessage());
                        });
    }

    void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private Pem read() throws IOException {
        byte[] cert = readFile(certFile, "certificate");
        byte[] key = readFile(keyFile, "private key");
        return new Pem(cert, key);
    }

    private static byte[] readFile(Path file, String what) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException(
                    "cannot read the module service's " + what + " " + file + ": " + e, e);
        }
    }

    private record Pem(byte[] cert, byte[] key) {
        String hash() {
            return Digests.sha256Hex(cert) + Digests.sha256Hex(key);
        }

        PemKeyCertOptions options() {
            return new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(cert))
                    .setKeyValue(Buffer.buffer(key));
        }
    }
}
