package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WasmBindings by namespace, kept current by an informer of this replica's own (JOSDK's
 * informers run on the leader only; every replica serves), and the listeners to wake per namespace
 * when one of its bindings changes: a change in {@code shop} wakes only {@code shop}'s long-polls.
 */
public final class BindingViews implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BindingViews.class);
    static final int MAX_RENDERED_PER_NAMESPACE = 1024;

    private final Map<String, Map<String, WasmBinding>> byNamespace = new ConcurrentHashMap<>();
    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    // Rendered views per namespace and names asked for, valid for one version of the namespace:
    // the ten sidecars of a namespace asking the same names share one rendering per change, and
    // a long-poll's If-None-Match check costs a map lookup.
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    private final Map<String, Map<Optional<List<String>>, Rendered>> rendered =
            new ConcurrentHashMap<>();

    private record Rendered(long version, BindingView view) {}

    private final List<SharedIndexInformer<WasmBinding>> informers = new ArrayList<>();

    private BindingViews() {}

    /**
     * Informs on the WasmBindings of {@code namespaces} (all when empty) through {@code client};
     * returns at once, {@link #isSynced()} tells when the first listing is in.
     */
    public static BindingViews inform(KubernetesClient client, Set<String> namespaces) {
        BindingViews views = new BindingViews();
        var resources = client.resources(WasmBinding.class);
        if (namespaces.isEmpty()) {
            views.start(resources.inAnyNamespace().runnableInformer(0));
        } else {
            for (String namespace : namespaces) {
                views.start(resources.inNamespace(namespace).runnableInformer(0));
            }
        }
        return views;
    }

    /** Fed by hand through {@link #upsert} and {@link #delete}: for tests and benchmarks. */
    public static BindingViews detached() {
        return new BindingViews();
    }

    private void start(SharedIndexInformer<WasmBinding> informer) {
        informer.addEventHandler(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(WasmBinding binding) {
                        upsert(binding);
                    }

                    @Override
                    public void onUpdate(WasmBinding old, WasmBinding binding) {
                        upsert(binding);
                    }

                    @Override
                    public void onDelete(WasmBinding binding, boolean finalStateUnknown) {
                        delete(binding);
                    }
                });
        informers.add(informer);
        informer.start()
                .whenComplete(
                        (ok, error) -> {
                            if (error != null) {
                                LOG.warn("WasmBinding informer failed to start", error);
                            }
                        });
    }

    /** True once every informer has listed its bindings (a detached view is always synced). */
    public boolean isSynced() {
        return informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    public void upsert(WasmBinding binding) {
        String namespace = binding.getMetadata().getNamespace();
        byNamespace
                .computeIfAbsent(namespace, n -> new ConcurrentSkipListMap<>())
                .put(binding.getMetadata().getName(), binding);
        changed(namespace);
    }

    public void delete(WasmBinding binding) {
        String namespace = binding.getMetadata().getNamespace();
        Map<String, WasmBinding> bindings = byNamespace.get(namespace);
        if (bindings != null) {
            bindings.remove(binding.getMetadata().getName());
        }
        changed(namespace);
    }

    /** What {@code names} (all when empty) of {@code namespace} look like now. */
    public BindingView view(String namespace, Optional<List<String>> names) {
        // Read the version before the bindings: a change during rendering bumps it, and the
        // stale rendering is then never used.
        long version = version(namespace).get();
        Map<Optional<List<String>>, Rendered> cached =
                rendered.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>());
        Rendered hit = cached.get(names);
        if (hit != null && hit.version() == version) {
            return hit.view();
        }
        BindingView view =
                BindingView.render(namespace, byNamespace.getOrDefault(namespace, Map.of()), names);
        if (cached.size() >= MAX_RENDERED_PER_NAMESPACE) {
            cached.clear();
        }
        cached.put(names, new Rendered(version, view));
        return view;
    }

    private AtomicLong version(String namespace) {
        return versions.computeIfAbsent(namespace, n -> new AtomicLong());
    }

    /** A binding of {@code namespace} whose status names {@code digest} ({@code sha256:<hex>}). */
    public Optional<WasmBinding> withDigest(String namespace, String digest) {
        return byNamespace.getOrDefault(namespace, Map.of()).values().stream()
                .filter(b -> b.getStatus() != null && digest.equals(b.getStatus().getDigest()))
                .findFirst();
    }

    /**
     * Calls {@code onChange} (on the informer's thread: hand the work to your own) whenever a
     * binding of {@code namespace} is added, changed or deleted, until the returned handle is
     * closed.
     */
    public Subscription subscribe(String namespace, Runnable onChange) {
        Objects.requireNonNull(onChange, "onChange");
        listeners.computeIfAbsent(namespace, n -> ConcurrentHashMap.newKeySet()).add(onChange);
        return () -> {
            Set<Runnable> set = listeners.get(namespace);
            if (set != null) {
                set.remove(onChange);
            }
        };
    }

    /** Listeners registered now, over all namespaces. */
    public int subscribers() {
        return listeners.values().stream().mapToInt(Set::size).sum();
    }

    private void changed(String namespace) {
        version(namespace).incrementAndGet();
        Set<Runnable> set = listeners.get(namespace);
        if (set == null) {
            return;
        }
        for (Runnable listener : set) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a binding-change listener of namespace {} failed", namespace, e);
            }
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }

    /** Stops notifications to one listener. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
