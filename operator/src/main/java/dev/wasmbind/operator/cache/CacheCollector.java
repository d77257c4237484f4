package dev.wasmbind.operator.cache;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.module.source.Digests;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One garbage-collection pass: the digests all WasmBindings' statuses name are kept, the rest of
 * the cache goes once unreferenced for the grace period. Run periodically by the operator.
 */
public final class CacheCollector implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(CacheCollector.class);

    private final Supplier<List<WasmBinding>> bindings;
    private final ModuleCache cache;
    private final Duration grace;
    private final Consumer<Set<String>> liveUids;

    public CacheCollector(
            Supplier<List<WasmBinding>> bindings,
            ModuleCache cache,
            Duration grace,
            Consumer<Set<String>> liveUids) {
        this.bindings = bindings;
        this.cache = cache;
        this.grace = grace;
        this.liveUids = liveUids;
    }

    /** Lists bindings through the API (all namespaces, or the watched ones). */
    public static Supplier<List<WasmBinding>> listing(
            KubernetesClient client, Set<String> namespaces) {
        return () -> {
            if (namespaces.isEmpty()) {
                return client.resources(WasmBinding.class).inAnyNamespace().list().getItems();
            }
            return namespaces.stream()
                    .flatMap(
                            ns ->
                                    client
                                            .resources(WasmBinding.class)
                                            .inNamespace(ns)
                                            .list()
                                            .getItems()
                                            .stream())
                    .toList();
        };
    }

    @Override
    public void run() {
        try {
            List<WasmBinding> all = bindings.get();
            Set<String> referenced = new HashSet<>();
            Set<String> uids = new HashSet<>();
            for (WasmBinding binding : all) {
                uids.add(binding.getMetadata().getUid());
                if (binding.getStatus() != null && binding.getStatus().getDigest() != null) {
                    try {
                        referenced.add(Digests.normalizeSha256(binding.getStatus().getDigest()));
                    } catch (IllegalArgumentException ignored) {
                        // a hand-edited status with a malformed digest references nothing
                    }
                }
            }
            cache.collectGarbage(referenced, grace);
            liveUids.accept(uids);
        } catch (Exception e) {
            // A failed pass is retried on the next tick; it must not kill the scheduler.
            LOG.warn("cache garbage collection failed: {}", e.toString());
        }
    }
}
