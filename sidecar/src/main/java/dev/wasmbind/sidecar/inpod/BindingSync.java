package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link BindingRegistry} in step with the module service: restores the last applied view
 * from the {@link ModulesDir}, then asks for the view, downloads and verifies missing modules,
 * loads what changed and swaps it in, and long-polls for the next change. On any error it keeps
 * serving what it has and retries with {@link Backoff}; each change of state is logged once and
 * shown in metrics and {@code /v1.0/metadata}. One thread does all of it, so the view it applies
 * needs no locking; calls read the registry, whose swaps are atomic.
 */
public final class BindingSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BindingSync.class);

    /** Where the sync stands. */
    public enum State {
        /** No answer from the module service yet. */
        STARTING,
        /** The last view was applied in full; long-polling for the next. */
        IN_SYNC,
        /** The last attempt failed; serving what it has and retrying with backoff. */
        RETRYING
    }

    /**
     * What {@code /v1.0/metadata} shows.
     *
     * @param state where the sync stands
     * @param revision the revision of the view applied in full, or null
     * @param lastSync when the module service last answered, or null
     * @param failures failed attempts in a row
     * @param lastError the last failure, or null once in sync
     */
    public record Status(
            State state, String revision, Instant lastSync, int failures, String lastError) {}

    private final ModuleServiceClient client;
    private final String namespace;
    private final List<String> names;
    private final ModulesDir modulesDir;
    private final ViewApplier applier;
    private final Backoff backoff;
    private final Duration longPollWait;
    private final Counter failuresCounter;
    private volatile boolean readyLatched;
    private volatile Status status = new Status(State.STARTING, null, null, 0, null);
    private String appliedRevision;
    private volatile boolean running;
    private Thread thread;

    private BindingSync(Builder b) {
        this.client = b.client;
        this.namespace = b.namespace;
        this.names = List.copyOf(b.names);
        this.modulesDir = b.modulesDir;
        this.backoff = Backoff.of(b.initialBackoff, b.maxBackoff);
        this.longPollWait = b.longPollWait;
        MeterRegistry meters = b.meters;
        Gauge.builder("wasmbind.module.service.up", this, s -> s.up() ? 1 : 0)
                .description("1 while the last sync with the module service succeeded")
                .register(meters);
        Gauge.builder("wasmbind.module.service.last.sync", this, BindingSync::lastSyncSeconds)
                .description("When the module service last answered, in seconds since the epoch")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("wasmbind.sidecar.ready", this, s -> s.isReady() ? 1 : 0)
                .description("1 once every requested binding is loaded or failed for good")
                .register(meters);
        failuresCounter =
                Counter.builder("wasmbind.module.service.sync.failures")
                        .description("Failed syncs with the module service (each is retried)")
                        .register(meters);
        this.applier =
                new ViewApplier(
                        client,
                        namespace,
                        names,
                        modulesDir,
                        b.compiler,
                        b.compileExecutor,
                        b.registry,
                        Counter.builder("wasmbind.binding.swaps")
                                .description("Bindings that switched to a new module or spec")
                                .register(meters));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies the view the modules dir holds (the last one applied before a restart); modules come
     * from the folder only. Call before serving.
     */
    public void restore() {
        try {
            Optional<byte[]> json = modulesDir.readView();
            if (json.isEmpty()) {
                return;
            }
            BindingView view = BindingView.parse(json.get());
            List<String> problems = applier.apply(view, true);
            if (problems.isEmpty()) {
                appliedRevision = view.revision();
                LOG.info(
                        "restored {} binding(s) of revision {} from {}",
                        view.bindings().size(),
                        view.revision(),
                        modulesDir.root());
            } else {
                LOG.warn("restored the modules dir in part: {}", String.join("; ", problems));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot restore from {}: {}", modulesDir.root(), e.toString());
        }
    }

    /** Starts the sync thread. */
    public void start() {
        running = true;
        thread = new Thread(this::run, "module-sync");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * True once every requested binding (every binding of the view when none was named) is loaded
     * or failed for good ({@code Failed}, {@code NotFound}, a module that does not validate). Stays
     * true afterwards: a binding that appears later must not take the pod out of its Service.
     */
    public boolean isReady() {
        if (readyLatched) {
            return true;
        }
        if (!applier.allSettled()) {
            return false;
        }
        readyLatched = true;
        LOG.info("ready: every requested binding is loaded or failed for good");
        return true;
    }

    public Status status() {
        return status;
    }

    /** The {@code moduleService} section of {@code /v1.0/metadata} (GoJson types). */
    public Map<String, Object> metadata() {
        Status s = status;
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("url", client.url().toString());
        section.put("namespace", namespace);
        section.put("state", s.state().name());
        section.put("ready", isReady());
        section.put("revision", s.revision());
        section.put("lastSync", s.lastSync() == null ? null : s.lastSync().toString());
        section.put("failures", (double) s.failures());
        section.put("lastError", s.lastError());
        return section;
    }

    private boolean up() {
        return status.state() == State.IN_SYNC;
    }

    private double lastSyncSeconds() {
        Instant last = status.lastSync();
        return last == null ? Double.NaN : last.toEpochMilli() / 1000.0;
    }

    private void run() {
        while (running) {
            try {
                // After a failure (or at start) ask without waiting, to learn at once that the
                // service answers again; once in sync, long-poll.
                Duration wait = up() ? longPollWait : Duration.ZERO;
                Optional<BindingView> view =
                        client.bindings(namespace, names, appliedRevision, wait);
                if (view.isPresent()) {
                    List<String> problems = applier.apply(view.get(), false);
                    if (!problems.isEmpty()) {
                        throw new SyncIncompleteException(String.join("; ", problems));
                    }
                    commit(view.get());
                }
                succeeded();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ModuleServiceException | SyncIncompleteException | RuntimeException e) {
                Duration delay = failed(e);
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The view was applied in full: remember it, for the long-poll and for a restart. */
    private void commit(BindingView view) {
        appliedRevision = view.revision();
        Set<String> used = new HashSet<>();
        view.bindings().stream()
                .filter(BindingView.Entry::ready)
                .forEach(e -> used.add(e.sha256()));
        try {
            modulesDir.writeView(view.json());
            modulesDir.retainOnly(used);
        } catch (IOException e) {
            // Serving goes on; only a restart would have to download again.
            LOG.warn("cannot record the view in {}: {}", modulesDir.root(), e.toString());
        }
        LOG.info("applied revision {} ({} binding(s))", view.revision(), view.bindings().size());
    }

    private void succeeded() {
        Status previous = status;
        if (previous.state() == State.RETRYING) {
            LOG.info(
                    "module service {} answers again after {} failed attempt(s)",
                    client.url(),
                    previous.failures());
        } else if (previous.state() == State.STARTING) {
            LOG.info("in sync with the module service {}", client.url());
        }
        backoff.reset();
        status = new Status(State.IN_SYNC, appliedRevision, Instant.now(), 0, null);
    }

    private Duration failed(Exception e) {
        failuresCounter.increment();
        Duration delay = backoff.next();
        if (e instanceof ModuleServiceException service && service.retryAfter().isPresent()) {
            Duration retryAfter = service.retryAfter().get();
            delay = retryAfter.compareTo(delay) > 0 ? retryAfter : delay;
        }
        String message = e instanceof RuntimeException ? e.toString() : e.getMessage();
        Status previous = status;
        if (previous.state() != State.RETRYING || !Objects.equals(previous.lastError(), message)) {
            LOG.warn(
                    "sync with the module service failed, serving the last good modules and"
                            + " retrying with backoff: {}",
                    message);
        } else {
            LOG.debug("sync failed again (retry in {} ms): {}", delay.toMillis(), message);
        }
        status =
                new Status(
                        State.RETRYING,
                        appliedRevision,
                        previous.lastSync(),
                        backoff.failures(),
                        message);
        return delay;
    }

    /** A view applied in part; retried like an unreachable service. */
    private static final class SyncIncompleteException extends Exception {
        SyncIncompleteException(String message) {
            super(message, null, false, false);
        }
    }

    public static final class Builder {
        private ModuleServiceClient client;
        private String namespace;
        private List<String> names = List.of();
        private ModulesDir modulesDir;
        private ModuleCompiler compiler = new ModuleCompiler();
        private Executor compileExecutor = Runnable::run;
        private BindingRegistry registry;
        private MeterRegistry meters;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration longPollWait = Duration.ofSeconds(30);

        private Builder() {}

        public Builder withClient(ModuleServiceClient client) {
            this.client = client;
            return this;
        }

        public Builder withNamespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** The bindings to serve; all of the namespace when empty. */
        public Builder withNames(List<String> names) {
            this.names = names;
            return this;
        }

        public Builder withModulesDir(ModulesDir modulesDir) {
            this.modulesDir = modulesDir;
            return this;
        }

        public Builder withCompiler(ModuleCompiler compiler, Executor compileExecutor) {
            this.compiler = compiler;
            this.compileExecutor = compileExecutor;
            return this;
        }

        public Builder withRegistry(BindingRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder withMeters(MeterRegistry meters) {
            this.meters = meters;
            return this;
        }

        public Builder withBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder withLongPollWait(Duration longPollWait) {
            this.longPollWait = longPollWait;
            return this;
        }

        public BindingSync build() {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(modulesDir, "modulesDir");
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(meters, "meters");
            return new BindingSync(this);
        }
    }
}
