package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.binding.BackgroundCompilation;
import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingLoader;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies binding views to the {@link BindingRegistry}: takes modules from the {@link ModulesDir}
 * or downloads them (verified, then stored), loads what changed and swaps it in, removes what is
 * gone, and tracks which bindings are settled (loaded, or failed for good) for readiness. Used by
 * one thread ({@link BindingSync}'s); calls read the registry, whose swaps are atomic.
 */
final class ViewApplier {

    private static final Logger LOG = LoggerFactory.getLogger(ViewApplier.class);

    private final ModuleServiceClient client;
    private final String namespace;
    private final List<String> names;
    private final ModulesDir modulesDir;
    private final BindingLoader loader;
    private final ModuleCompiler compiler;
    private final Executor compileExecutor;
    private final BindingRegistry registry;
    private final Counter swapsCounter;

    /** Per binding name, the view entry now applied. */
    private final Map<String, BindingView.Entry> applied = new HashMap<>();

    /** Names that are loaded or failed for good: what readiness waits for. */
    private final Set<String> settled = ConcurrentHashMap.newKeySet();

    private volatile List<String> viewNames;

    ViewApplier(
            ModuleServiceClient client,
            String namespace,
            List<String> names,
            ModulesDir modulesDir,
            ModuleCompiler compiler,
            Executor compileExecutor,
            BindingRegistry registry,
            Counter swapsCounter) {
        this.client = client;
        this.namespace = namespace;
        this.names = names;
        this.modulesDir = modulesDir;
        this.loader = BindingLoader.withoutSource(ModuleValidator.create(), compiler);
        this.compiler = compiler;
        this.compileExecutor = compileExecutor;
        this.registry = registry;
        this.swapsCounter = swapsCounter;
    }

    /**
     * True when every requested binding (every binding of the last view when none was named) is
     * loaded or failed for good.
     */
    boolean allSettled() {
        List<String> waitFor = names.isEmpty() ? viewNames : names;
        return waitFor != null && settled.containsAll(waitFor);
    }

    /**
     * Applies a view to the registry: what is unchanged stays, what changed is loaded and swapped
     * in, what is gone is removed. Never removes a working binding because of a download problem.
     *
     * @param fromDisk modules come from the modules dir only (restore at start)
     * @return the problems that leave the view applied in part (retried), empty when in full
     */
    List<String> apply(BindingView view, boolean fromDisk) {
        viewNames = view.bindings().stream().map(BindingView.Entry::name).toList();
        List<String> problems = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (BindingView.Entry entry : view.bindings()) {
            present.add(entry.name());
            if (entry.sameAs(applied.get(entry.name()))) {
                continue;
            }
            if (entry.ready()) {
                applyReady(entry, fromDisk).ifPresent(problems::add);
            } else {
                applyNotReady(entry);
            }
        }
        if (!names.isEmpty()) {
            present.addAll(names);
        }
        for (String name : new ArrayList<>(applied.keySet())) {
            if (!present.contains(name)) {
                applied.remove(name);
                settled.remove(name);
                registry.remove(name);
                LOG.info("binding {} is gone from namespace {}; removed", name, namespace);
            }
        }
        return problems;
    }

    private void applyNotReady(BindingView.Entry entry) {
        String name = entry.name();
        Optional<Binding> current = registry.get(name);
        applied.put(name, entry);
        if (!entry.definitive() && current.orElse(null) instanceof Binding.Ready ready) {
            // A passing phase (e.g. fetching a new version): the current module keeps serving.
            LOG.info(
                    "binding {} is {} ({}); still serving {}",
                    name,
                    entry.phase(),
                    entry.message(),
                    ready.digest());
            return;
        }
        String url = current.map(Binding::url).orElse("");
        registry.put(new Binding.Failed(name, url, entry.reason()));
        if (entry.definitive()) {
            settled.add(name);
        } else {
            settled.remove(name);
        }
        LOG.warn("binding {} is not ready: {}", name, entry.reason());
    }

    /** Loads and swaps in a ready entry; the problem when it cannot (yet). */
    private Optional<String> applyReady(BindingView.Entry entry, boolean fromDisk) {
        String name = entry.name();
        Optional<Binding> current = registry.get(name);
        FetchedModule module;
        try {
            Optional<FetchedModule> local = modulesDir.read(entry.sha256());
            if (local.isPresent()) {
                module = local.get();
            } else if (fromDisk) {
                return Optional.of(
                        notYet(name, entry, "its module is not in " + modulesDir.root()));
            } else {
                byte[] bytes = client.module(namespace, entry.sha256(), maxBytes(entry));
                module = modulesDir.write(entry.sha256(), bytes);
            }
        } catch (ModuleServiceException | IOException e) {
            String problem =
                    "module " + entry.digest() + " of binding " + name + ": " + e.getMessage();
            return Optional.of(notYet(name, entry, problem));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        Binding next;
        try {
            next = load(name, entry, module, current.orElse(null));
        } catch (IOException e) {
            next = new Binding.Failed(name, entry.url(), "invalid spec: " + e.getMessage());
        }
        registry.put(next);
        applied.put(name, entry);
        // A module that does not validate (its bytes are verified) fails for good, like Failed.
        settled.add(name);
        if (next instanceof Binding.Ready ready) {
            if (current.orElse(null) instanceof Binding.Ready old) {
                swapsCounter.increment();
                LOG.info("binding {} swapped: {} -> {}", name, old.digest(), ready.digest());
            }
            BackgroundCompilation.swapInWhenCompiled(registry, ready, compiler, compileExecutor);
        }
        return Optional.empty();
    }

    /**
     * A binding that serves nothing yet starts on the interpreter (ready at once) and is compiled
     * in the background; a serving one is replaced by a compiled one, so its calls never slow down.
     */
    private Binding load(
            String name, BindingView.Entry entry, FetchedModule module, Binding current)
            throws IOException {
        var spec = entry.toSpec();
        if (!(current instanceof Binding.Ready old)) {
            return loader.fromModuleInterpreted(name, spec, module);
        }
        Binding next = loader.fromModule(name, spec, module);
        if (next instanceof Binding.Ready ready && ready.maxConcurrency() == old.maxConcurrency()) {
            // Share the old permits, so a swap never lets twice maxConcurrency calls run.
            return new Binding.Ready(
                    ready.name(),
                    ready.url(),
                    ready.compiled(),
                    ready.settings(),
                    ready.timeout(),
                    ready.maxRequestBytes(),
                    ready.maxConcurrency(),
                    ready.rawData(),
                    old.permits());
        }
        return next;
    }

    /** Records why a binding is not loaded yet; keeps what serves. */
    private String notYet(String name, BindingView.Entry entry, String problem) {
        if (registry.get(name).isEmpty() || registry.get(name).get() instanceof Binding.Failed) {
            registry.put(
                    new Binding.Failed(
                            name,
                            entry.url(),
                            "module " + entry.digest() + " is not loaded yet: " + problem));
            settled.remove(name);
        }
        return problem;
    }

    private static long maxBytes(BindingView.Entry entry) {
        return entry.size() > 0 ? entry.size() : ModuleValidator.DEFAULT_MAX_MODULE_BYTES;
    }
}
