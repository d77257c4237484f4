package dev.wasmbind.operator.reconciler;

import static dev.wasmbind.api.v1alpha1.WasmBindingCondition.FETCHED;
import static dev.wasmbind.api.v1alpha1.WasmBindingCondition.READY;
import static dev.wasmbind.api.v1alpha1.WasmBindingCondition.VALIDATED;
import static dev.wasmbind.operator.status.Conditions.FALSE;
import static dev.wasmbind.operator.status.Conditions.TRUE;
import static dev.wasmbind.operator.status.Conditions.UNKNOWN;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchRequest;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.validate.InvalidModuleException;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.module.validate.ValidatedModule;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.status.Conditions;
import dev.wasmbind.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a WasmBinding: observe -> validate spec -> fetch -> validate module -> store ->
 * status. Failures are typed ({@link InvalidSpecException}, {@link FetchException}, {@link
 * InvalidModuleException}, {@link IOException} from the cache) and each maps to conditions, a
 * phase, a message in words and a Warning event. The status is patched only when it changed.
 *
 * <p>Retries: an invalid spec waits for the next spec change (no reschedule); fetch and validation
 * failures retry with exponential backoff, because the source may be fixed without touching the
 * spec. A binding with refreshInterval is re-fetched on that period; a failed refresh keeps the
 * last good digest Ready and says so in the Fetched condition.
 */
@ControllerConfiguration(name = WasmBindingReconciler.NAME)
public final class WasmBindingReconciler implements Reconciler<WasmBinding> {

    public static final String NAME = "wasmbinding";

    private static final Logger LOG = LoggerFactory.getLogger(WasmBindingReconciler.class);

    private final SpecValidator specValidator;
    private final ModuleFetcher fetcher;
    private final ModuleValidator moduleValidator;
    private final ModuleCache cache;
    private final PullSecrets pullSecrets;
    private final EventRecorder events;
    private final OperatorMetrics metrics;
    private final Backoff backoff;
    private final Clock clock;
    private final InflightFetches inflight = new InflightFetches();

    private WasmBindingReconciler(Builder builder) {
        this.specValidator = Objects.requireNonNull(builder.specValidator, "specValidator");
        this.fetcher = Objects.requireNonNull(builder.fetcher, "fetcher");
        this.moduleValidator = Objects.requireNonNull(builder.moduleValidator, "moduleValidator");
        this.cache = Objects.requireNonNull(builder.cache, "cache");
        this.pullSecrets = Objects.requireNonNull(builder.pullSecrets, "pullSecrets");
        this.events = Objects.requireNonNull(builder.events, "events");
        this.metrics = Objects.requireNonNull(builder.metrics, "metrics");
        this.backoff = Objects.requireNonNull(builder.backoff, "backoff");
        this.clock = Objects.requireNonNull(builder.clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Backoff backoff() {
        return backoff;
    }

    @Override
    public UpdateControl<WasmBinding> reconcile(WasmBinding binding, Context<WasmBinding> context) {
        // observe
        Instant now = clock.instant();
        ObjectMeta meta = binding.getMetadata();
        long generation = meta.getGeneration() == null ? 0 : meta.getGeneration();
        WasmBindingStatus old = binding.getStatus();
        WasmBindingStatus next = copyOf(old);
        next.setObservedGeneration(generation);
        String key =
                meta.getUid() != null ? meta.getUid() : meta.getNamespace() + "/" + meta.getName();

        // validate spec
        BindingPlan plan;
        try {
            plan = specValidator.validate(binding.getSpec());
        } catch (InvalidSpecException e) {
            backoff.reset(key);
            failed(next, generation, now, "InvalidSpec", e.getMessage(), UNKNOWN);
            warnIfNew(binding, old, next, "InvalidSpec");
            metrics.reconciled("invalid_spec");
            // No reschedule: only a spec change (a new generation) can fix it.
            return patchIfChanged(binding, old, next);
        }

        // A digest is "last good" only for the generation it was fetched for, and only while
        // the cache still has it (an emptied cache must not be reported as serving it).
        String lastGood =
                old != null
                                && old.getPhase() == Phase.Ready
                                && old.getDigest() != null
                                && Objects.equals(old.getObservedGeneration(), generation)
                                && cache.contains(old.getDigest())
                        ? old.getDigest()
                        : null;
        if (lastGood != null && !refreshDue(old, plan, now)) {
            metrics.reconciled("unchanged");
            return reschedule(patchIfChanged(binding, old, next), untilRefresh(old, plan, now));
        }
        if (old == null || !Objects.equals(old.getObservedGeneration(), generation)) {
            // A new spec: say "Fetching" first, because a fetch may take up to the fetch
            // timeout; the fetch follows in the next reconcile, at once. The other conditions
            // keep the observedGeneration they were computed for. Retries and refreshes do not
            // pass here, so they never flip the phase back and forth.
            next.setPhase(Phase.Fetching);
            next.setMessage("fetching " + plan.url());
            Conditions.set(
                    next, FETCHED, UNKNOWN, "Fetching", "fetching " + plan.url(), generation, now);
            metrics.reconciled("fetching");
            return patchIfChanged(binding, old, next).rescheduleAfter(Duration.ofMillis(1));
        }

        // fetch -> validate module -> store
        FetchedModule module;
        ValidatedModule validated = null;
        try {
            module = fetch(binding, plan);
            if (!cache.contains(module.sha256())) {
                validated = moduleValidator.validate(module.bytes());
            }
            cache.store(module.sha256(), module.bytes());
        } catch (FetchException e) {
            String reason = camelCase(e.reason().name());
            return failure(
                    binding,
                    old,
                    next,
                    generation,
                    now,
                    key,
                    lastGood,
                    plan,
                    reason,
                    e.getMessage(),
                    UNKNOWN,
                    "FetchFailed");
        } catch (InvalidModuleException e) {
            String reason =
                    e.reason() == InvalidModuleException.Reason.TOO_LARGE
                            ? "ModuleTooLarge"
                            : camelCase(e.reason().name());
            return failure(
                    binding,
                    old,
                    next,
                    generation,
                    now,
                    key,
                    lastGood,
                    plan,
                    reason,
                    "invalid module from " + plan.url() + ": " + e.getMessage(),
                    FALSE,
                    "InvalidModule");
        } catch (IOException e) {
            return failure(
                    binding,
                    old,
                    next,
                    generation,
                    now,
                    key,
                    lastGood,
                    plan,
                    "CacheError",
                    "cannot store the module in the cache: " + e.getMessage(),
                    UNKNOWN,
                    "FetchFailed");
        }

        // status
        backoff.reset(key);
        String digest = module.digest();
        long size = module.bytes().length;
        Conditions.set(
                next,
                FETCHED,
                TRUE,
                "Fetched",
                "fetched " + size + " bytes from " + module.resolvedFrom(),
                generation,
                now);
        Conditions.set(
                next,
                VALIDATED,
                TRUE,
                "Valid",
                ModuleValidator.ABI_WASIP1_COMMAND + " module exporting _start and memory",
                generation,
                now);
        Conditions.set(next, READY, TRUE, "Ready", "serving " + digest, generation, now);
        next.setPhase(Phase.Ready);
        next.setDigest(digest);
        next.setShortDigest(module.sha256().substring(0, 12));
        next.setSize(size);
        next.setAbi(validated != null ? validated.abi() : ModuleValidator.ABI_WASIP1_COMMAND);
        next.setLastFetchTime(Conditions.rfc3339(now));
        next.setMessage("serving " + digest + " (" + size + " bytes)");
        if (old == null || !digest.equals(old.getDigest())) {
            events.record(
                    binding,
                    EventRecorder.NORMAL,
                    "Fetched",
                    "fetched " + digest + " (" + size + " bytes) from " + module.resolvedFrom());
            LOG.info("{}/{} ready with {}", meta.getNamespace(), meta.getName(), digest);
        }
        metrics.reconciled("ready");
        return reschedule(patchIfChanged(binding, old, next), plan.refreshInterval());
    }

    private FetchedModule fetch(WasmBinding binding, BindingPlan plan) throws FetchException {
        String namespace = binding.getMetadata().getNamespace();
        Credentials credentials =
                plan.pullSecret().isPresent()
                        ? pullSecrets.read(namespace, plan.pullSecret().get())
                        : Credentials.none();
        FetchRequest request =
                FetchRequest.of(plan.url())
                        .withExpectedSha256(plan.sha256().orElse(null))
                        .withCredentials(credentials);
        var key =
                new InflightFetches.Key(
                        plan.url().toString(),
                        plan.sha256().orElse(""),
                        plan.pullSecret().map(s -> namespace + "/" + s).orElse(""));
        return inflight.fetch(
                key,
                () -> {
                    long start = System.nanoTime();
                    FetchedModule module = fetcher.fetch(request);
                    metrics.fetched(
                            module.bytes().length, Duration.ofNanos(System.nanoTime() - start));
                    return module;
                });
    }

    private UpdateControl<WasmBinding> failure(
            WasmBinding binding,
            WasmBindingStatus old,
            WasmBindingStatus next,
            long generation,
            Instant now,
            String key,
            String lastGood,
            BindingPlan plan,
            String reason,
            String message,
            String validated,
            String eventReason) {
        metrics.failed(reason);
        Duration retry = backoff.next(key);
        if (lastGood != null) {
            // A failed refresh: keep serving what worked and say why the new content is not used.
            String kept = "; still serving " + lastGood;
            Conditions.set(
                    next, FETCHED, FALSE, reason, "refresh failed: " + message, generation, now);
            if (FALSE.equals(validated)) {
                Conditions.set(next, VALIDATED, FALSE, reason, message + kept, generation, now);
            }
            Conditions.set(
                    next,
                    READY,
                    TRUE,
                    "ServingLastGood",
                    "refresh failed (" + reason + ")" + kept,
                    generation,
                    now);
            next.setPhase(Phase.Ready);
            next.setMessage("refresh failed: " + message + kept);
            metrics.reconciled("refresh_failed");
        } else {
            failed(next, generation, now, reason, message, validated);
            metrics.reconciled("failed");
        }
        warnIfNew(binding, old, next, eventReason);
        LOG.info(
                "{}/{}: {} ({}); retrying in {}",
                binding.getMetadata().getNamespace(),
                binding.getMetadata().getName(),
                message,
                reason,
                retry);
        UpdateControl<WasmBinding> control = patchIfChanged(binding, old, next);
        // The refresh period still applies when it is sooner than the backoff.
        Duration delay = plan.refreshInterval().filter(r -> r.compareTo(retry) < 0).orElse(retry);
        return control.rescheduleAfter(delay);
    }

    /** Phase Failed, no digest: nothing usable for the current spec. */
    private static void failed(
            WasmBindingStatus next,
            long generation,
            Instant now,
            String reason,
            String message,
            String validated) {
        boolean fetched = FALSE.equals(validated); // an invalid module was fetched fine
        Conditions.set(
                next,
                FETCHED,
                fetched ? TRUE : FALSE,
                fetched ? "Fetched" : reason,
                fetched ? "fetched, but the module is invalid" : message,
                generation,
                now);
        Conditions.set(
                next,
                VALIDATED,
                validated,
                fetched ? reason : "NotFetched",
                fetched ? message : "nothing to validate: the module was not fetched",
                generation,
                now);
        Conditions.set(next, READY, FALSE, reason, message, generation, now);
        next.setPhase(Phase.Failed);
        next.setMessage(message);
        next.setDigest(null);
        next.setShortDigest(null);
        next.setSize(null);
        next.setAbi(null);
    }

    /** One Warning per distinct problem, not one per retry. */
    private void warnIfNew(
            WasmBinding binding, WasmBindingStatus old, WasmBindingStatus next, String reason) {
        if (old == null || !Objects.equals(old.getMessage(), next.getMessage())) {
            events.record(binding, EventRecorder.WARNING, reason, next.getMessage());
        }
    }

    private static boolean refreshDue(WasmBindingStatus old, BindingPlan plan, Instant now) {
        return untilRefresh(old, plan, now).map(d -> d.isZero()).orElse(false);
    }

    /** Time left until the next refresh, zero when due, empty when the binding never refreshes. */
    private static Optional<Duration> untilRefresh(
            WasmBindingStatus old, BindingPlan plan, Instant now) {
        if (plan.refreshInterval().isEmpty()) {
            return Optional.empty();
        }
        Instant last;
        try {
            last =
                    old.getLastFetchTime() == null
                            ? Instant.EPOCH
                            : Instant.parse(old.getLastFetchTime());
        } catch (RuntimeException e) {
            last = Instant.EPOCH;
        }
        Duration left = Duration.between(now, last.plus(plan.refreshInterval().get()));
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    private static UpdateControl<WasmBinding> reschedule(
            UpdateControl<WasmBinding> control, Optional<Duration> after) {
        return after.map(d -> control.rescheduleAfter(d.isZero() ? Duration.ofMillis(1) : d))
                .orElse(control);
    }

    private static UpdateControl<WasmBinding> patchIfChanged(
            WasmBinding binding, WasmBindingStatus old, WasmBindingStatus next) {
        if (next.equals(old)) {
            return UpdateControl.noUpdate();
        }
        binding.setStatus(next);
        return UpdateControl.patchStatus(binding);
    }

    private static WasmBindingStatus copyOf(WasmBindingStatus old) {
        WasmBindingStatus copy = new WasmBindingStatus();
        if (old == null) {
            return copy;
        }
        copy.setPhase(old.getPhase());
        copy.setDigest(old.getDigest());
        copy.setShortDigest(old.getShortDigest());
        copy.setSize(old.getSize());
        copy.setAbi(old.getAbi());
        copy.setLastFetchTime(old.getLastFetchTime());
        copy.setMessage(old.getMessage());
        copy.setObservedGeneration(old.getObservedGeneration());
        for (var c : old.getConditions()) {
            var condition = new dev.wasmbind.api.v1alpha1.WasmBindingCondition();
            condition.setType(c.getType());
            condition.setStatus(c.getStatus());
            condition.setReason(c.getReason());
            condition.setMessage(c.getMessage());
            condition.setLastTransitionTime(c.getLastTransitionTime());
            condition.setObservedGeneration(c.getObservedGeneration());
            copy.getConditions().add(condition);
        }
        return copy;
    }

    /** NOT_FOUND -> NotFound, the form Kubernetes uses for reasons. */
    static String camelCase(String enumName) {
        StringBuilder out = new StringBuilder();
        for (String part : enumName.toLowerCase(Locale.ROOT).split("_")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    public static final class Builder {
        private SpecValidator specValidator;
        private ModuleFetcher fetcher;
        private ModuleValidator moduleValidator;
        private ModuleCache cache;
        private PullSecrets pullSecrets;
        private EventRecorder events;
        private OperatorMetrics metrics;
        private Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder withSpecValidator(SpecValidator specValidator) {
            this.specValidator = specValidator;
            return this;
        }

        public Builder withFetcher(ModuleFetcher fetcher) {
            this.fetcher = fetcher;
            return this;
        }

        public Builder withModuleValidator(ModuleValidator moduleValidator) {
            this.moduleValidator = moduleValidator;
            return this;
        }

        public Builder withCache(ModuleCache cache) {
            this.cache = cache;
            return this;
        }

        public Builder withPullSecrets(PullSecrets pullSecrets) {
            this.pullSecrets = pullSecrets;
            return this;
        }

        public Builder withEvents(EventRecorder events) {
            this.events = events;
            return this;
        }

        public Builder withMetrics(OperatorMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder withBackoff(Backoff backoff) {
            this.backoff = backoff;
            return this;
        }

        public Builder withClock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public WasmBindingReconciler build() {
            return new WasmBindingReconciler(this);
        }
    }
}
