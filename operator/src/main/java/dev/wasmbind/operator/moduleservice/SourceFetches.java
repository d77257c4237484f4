package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchRequest;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.operator.cache.ModuleCache;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills this replica's cache with a module it lacks (a follower: only the leader reconciles): from
 * the binding's source, pinned to the digest the leader wrote in status, so content that changed at
 * the source since is refused rather than served. Requests for one digest share one fetch.
 */
final class SourceFetches {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFetches.class);

    private final Vertx vertx;
    private final ModuleFetcher fetcher;
    private final CredentialsLookup credentials;
    private final ModuleCache cache;
    private final ModuleServiceMetrics metrics;
    private final Map<String, Future<Path>> inflight = new ConcurrentHashMap<>();

    SourceFetches(
            Vertx vertx,
            ModuleFetcher fetcher,
            CredentialsLookup credentials,
            ModuleCache cache,
            ModuleServiceMetrics metrics) {
        this.vertx = vertx;
        this.fetcher = fetcher;
        this.credentials = credentials;
        this.cache = cache;
        this.metrics = metrics;
    }

    /** The cached module's path once {@code binding}'s source gave content of {@code hex}. */
    Future<Path> fetch(String hex, WasmBinding binding) {
        return inflight.compute(
                hex,
                (h, running) -> {
                    if (running != null && !running.isComplete()) {
                        return running;
                    }
                    Future<Path> fetch =
                            vertx.executeBlocking(() -> fetchAndStore(hex, binding), false);
                    // A finished fetch leaves the map: the next request tries again.
                    fetch.onComplete(done -> inflight.remove(hex, fetch));
                    return fetch;
                });
    }

    private Path fetchAndStore(String hex, WasmBinding binding) throws FetchException, IOException {
        String namespace = binding.getMetadata().getNamespace();
        String secret = binding.getSpec().getPullSecret();
        Credentials creds =
                secret == null ? Credentials.none() : credentials.read(namespace, secret);
        try {
            FetchedModule module =
                    fetcher.fetch(
                            FetchRequest.of(URI.create(binding.getSpec().getUrl()))
                                    .withExpectedSha256(hex)
                                    .withCredentials(creds));
            Path path = cache.store(module.sha256(), module.bytes());
            metrics.sourceFetch("ok");
            LOG.info(
                    "fetched sha256:{} ({} bytes) from {} for {}/{}",
                    hex,
                    module.bytes().length,
                    module.resolvedFrom(),
                    namespace,
                    binding.getMetadata().getName());
            return path;
        } catch (FetchException | IOException | RuntimeException e) {
            metrics.sourceFetch("failed");
            throw e;
        }
    }
}
