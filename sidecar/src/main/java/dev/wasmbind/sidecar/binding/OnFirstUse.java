package dev.wasmbind.sidecar.binding;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A meter registry made when something first asks for it: a call's meters, or a scrape. The
 * standalone sidecar's Prometheus registry is made so, off the start: building it initialises ~90
 * classes and took ~8 ms of the main thread before the first healthz (docs/bench/startup.md, "Round
 * 6"), for meters nothing reads until the first call or scrape. Meters that must exist from the
 * start (the sidecar-wide gauges) are registered by {@link #whenMade} as the registry is made,
 * before anyone else sees it.
 */
public final class OnFirstUse<R extends MeterRegistry> implements Supplier<R> {

    private final Supplier<R> make;
    private final List<Consumer<? super R>> whenMade = new ArrayList<>();
    private volatile R registry;

    private OnFirstUse(Supplier<R> make) {
        this.make = make;
    }

    /** A registry {@code make} makes on the first {@link #get}. */
    public static <R extends MeterRegistry> OnFirstUse<R> of(Supplier<R> make) {
        return new OnFirstUse<>(make);
    }

    /** A registry made already (tests, in-pod mode). */
    public static <R extends MeterRegistry> OnFirstUse<R> made(R registry) {
        var made = new OnFirstUse<>(() -> registry);
        made.registry = registry;
        return made;
    }

    /** The registry, made now if it was not yet. */
    @Override
    public R get() {
        R made = registry;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            if (registry == null) {
                R fresh = make.get();
                whenMade.forEach(action -> action.accept(fresh));
                whenMade.clear();
                registry = fresh;
            }
            return registry;
        }
    }

    /** Runs {@code action} on the registry as it is made, or now if it was made already. */
    public void whenMade(Consumer<? super R> action) {
        R made;
        synchronized (this) {
            made = registry;
            if (made == null) {
                whenMade.add(action);
                return;
            }
        }
        action.accept(made);
    }

    /** Whether the registry was made (tests). */
    boolean isMade() {
        return registry != null;
    }
}
