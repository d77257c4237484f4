package dev.wasmbind.injector.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLOptions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the HTTPS server on the newest valid pair from its source, without a restart: the source is
 * read every interval, and a changed pair that validates replaces the old one for new connections.
 * An invalid pair (e.g. caught half-written) is logged and the old one kept.
 */
public final class CertificateReloader {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final Vertx vertx;
    private final KeyMaterialSource source;
    private final Duration interval;
    private final Counter applied;
    private final Counter failed;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile PemPair current;
    private volatile String lastReloadError;
    private long timerId = -1;

    public CertificateReloader(
            Vertx vertx, KeyMaterialSource source, Duration interval, MeterRegistry registry) {
        this.vertx = vertx;
        this.source = source;
        this.interval = interval;
        this.applied =
                Counter.builder("wasmbind.injector.tls.reloads")
                        .description("Certificate reload checks that changed the serving pair")
                        .tag("result", "applied")
                        .register(registry);
        this.failed =
                Counter.builder("wasmbind.injector.tls.reloads")
                        .description("Certificate reload checks that found an unusable pair")
                        .tag("result", "failed")
                        .register(registry);
    }

    /** Loads and validates the first pair, blocking: the server cannot start without it. */
    public PemKeyCertOptions initial() throws InvalidKeyMaterialException {
        PemPair pair = source.load();
        X509Certificate leaf = pair.validate();
        current = pair;
        LOG.info(
                "Serving certificate {} (valid until {}) from {}",
                leaf.getSubjectX500Principal(),
                leaf.getNotAfter().toInstant(),
                source.describe());
        return keyCertOptions(pair);
    }

    /** Starts checking the source every interval and swapping the server's pair on change. */
    public void watch(HttpServer server) {
        timerId = vertx.setPeriodic(interval.toMillis(), id -> check(server));
    }

    public void stop() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
    }

    /** Checks once now; completes with true when the server's pair was replaced. */
    public Future<Boolean> check(HttpServer server) {
        if (!checking.compareAndSet(false, true)) {
            return Future.succeededFuture(false);
        }
        return vertx.<PemPair>executeBlocking(
                        () -> {
                            PemPair pair = source.load();
                            if (pair.equals(current)) {
                                return null;
                            }
                            pair.validate();
                            return pair;
                        },
                        false)
                .compose(
                        pair -> {
                            if (pair == null) {
                                return Future.succeededFuture(false);
                            }
                            SSLOptions options =
                                    new SSLOptions().setKeyCertOptions(keyCertOptions(pair));
                            return server.updateSSLOptions(options)
                                    .map(
                                            updated -> {
                                                current = pair;
                                                applied.increment();
                                                LOG.info(
                                                        "Reloaded the serving certificate from {}",
                                                        source.describe());
                                                return true;
                                            });
                        })
                .onSuccess(changed -> lastReloadError = null)
                .onFailure(
                        e -> {
                            failed.increment();
                            lastReloadError = e.getMessage();
                            LOG.warn(
                                    "Keeping the current certificate: reload from {} failed: {}",
                                    source.describe(),
                                    e.getMessage());
                        })
                .eventually(
                        () -> {
                            checking.set(false);
                            return Future.succeededFuture();
                        });
    }

    public boolean loaded() {
        return current != null;
    }

    /**
     * The last reload failure, if the latest check failed. Reported, but it does not make the
     * server unready: the previous pair still serves, and an unready webhook would only mean pods
     * created without their sidecar.
     */
    public Optional<String> lastReloadError() {
        return Optional.ofNullable(lastReloadError);
    }

    static PemKeyCertOptions keyCertOptions(PemPair pair) {
        return new PemKeyCertOptions()
                .addCertValue(Buffer.buffer(pair.certificateChain()))
                .addKeyValue(Buffer.buffer(pair.privateKey()));
    }
}
