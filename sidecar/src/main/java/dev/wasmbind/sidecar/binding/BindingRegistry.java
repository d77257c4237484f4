package dev.wasmbind.sidecar.binding;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bindings this sidecar serves, by name. Replacing a binding is atomic: calls already running
 * keep the instance they started with, new calls get the new one (hot swap of a new digest).
 */
public final class BindingRegistry {

    private final ConcurrentHashMap<String, Binding> byName = new ConcurrentHashMap<>();

    /** Adds or replaces a binding; returns the one it replaced. */
    public Optional<Binding> put(Binding binding) {
        return Optional.ofNullable(byName.put(binding.name(), binding));
    }

    /**
     * Replaces {@code current} by {@code next} unless it was replaced meanwhile (e.g. by a newer
     * digest); true when it was replaced.
     */
    public boolean replace(Binding current, Binding next) {
        boolean[] replaced = {false};
        byName.computeIfPresent(
                current.name(),
                (name, present) -> {
                    if (present != current) {
                        return present;
                    }
                    replaced[0] = true;
                    return next;
                });
        return replaced[0];
    }

    /** Removes a binding (deleted from the cluster); calls already running finish. */
    public Optional<Binding> remove(String name) {
        return Optional.ofNullable(byName.remove(name));
    }

    public Optional<Binding> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All bindings, by name. */
    public List<Binding> all() {
        return byName.values().stream().sorted(Comparator.comparing(Binding::name)).toList();
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }
}
