package dev.wasmbind.operator.reconciler;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.health.ReconcileWatchdog;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.metrics.ReconcileOutcome;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates one reconcile of a WasmBinding: validate the spec, decide whether to fetch, let the
 * {@link BindingObserver} fetch → validate → store, and let the {@link BindingStatusWriter} write
 * the transition. A binding is fetched for a new spec (after a "Fetching" status) and when its
 * refreshInterval is due; otherwise the last good digest stands.
 *
 * <p>Retries: an invalid spec waits for the next spec change (no reschedule). A failed fetch,
 * validation or store is thrown as a {@link RetriedFailure}: JOSDK patches the failure status
 * through {@link #updateErrorStatus} and retries with its growing delay (unlimited attempts, up to
 * the maximum; {@code WasmBindOperator} sets the delays from flags); a success resets it.
 */
@ControllerConfiguration(name = WasmBindingReconciler.NAME)
@GradualRetry(
        maxAttempts = -1,
        initialInterval = 5_000,
        intervalMultiplier = 2,
        maxInterval = 300_000)
public final class WasmBindingReconciler implements Reconciler<WasmBinding> {

    public static final String NAME = "wasmbinding";

    private static final Logger LOG = LoggerFactory.getLogger(WasmBindingReconciler.class);

    private final SpecValidator specValidator;
    private final ModuleCache cache;
    private final BindingObserver observer;
    private final BindingStatusWriter statusWriter;
    private final OperatorMetrics metrics;
    private final GenericRetry retry;
    private final ReconcileWatchdog watchdog;

    private WasmBindingReconciler(Builder b) {
        this.specValidator = Objects.requireNonNull(b.specValidator, "specValidator");
        this.observer = Objects.requireNonNull(b.observer, "observer");
        this.statusWriter = Objects.requireNonNull(b.statusWriter, "statusWriter");
        this.cache = Objects.requireNonNull(b.cache, "cache");
        this.metrics = Objects.requireNonNull(b.metrics, "metrics");
        this.retry = Objects.requireNonNull(b.retry, "retry");
        this.watchdog = b.watchdog != null ? b.watchdog : new ReconcileWatchdog(Clock.systemUTC());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The retry JOSDK must run this reconciler with (register it with this). */
    public GenericRetry retry() {
        return retry;
    }

    @Override
    public UpdateControl<WasmBinding> reconcile(WasmBinding binding, Context<WasmBinding> context)
            throws RetriedFailure {
        try (ReconcileWatchdog.Running ignored = watchdog.enter()) {
            return reconcileWatched(binding);
        }
    }

    private UpdateControl<WasmBinding> reconcileWatched(WasmBinding binding) throws RetriedFailure {
        BindingStatusWriter.Draft status = statusWriter.draft(binding);
        BindingPlan plan;
        try {
            plan = specValidator.validate(binding.getSpec());
        } catch (InvalidSpecException e) {
            record(
                    status.failed(
                            new BindingFailure(FailureReason.INVALID_SPEC, e.getMessage()), null));
            // No reschedule: only a spec change (a new generation) can fix it.
            return status.toUpdateControl();
        }
        String lastGood = lastGood(status);
        Optional<Duration> untilRefresh = plan.untilRefresh(status.old(), status.now());
        if (lastGood != null && !untilRefresh.map(Duration::isZero).orElse(false)) {
            record(ReconcileOutcome.UNCHANGED);
            return reschedule(status.toUpdateControl(), untilRefresh);
        }
        if (status.isNewSpec()) {
            // The fetch follows at once, in the next reconcile. Retries and refreshes do not pass
            // here, so they never flip the phase back and forth.
            record(status.fetching(plan.url()));
            return status.toUpdateControl().rescheduleAfter(Duration.ofMillis(1));
        }
        BindingObserver.Observed observed;
        try {
            observed = observer.observe(binding, plan);
        } catch (BindingFailure failure) {
            metrics.failed(failure.reason().conditionReason());
            record(status.failed(failure, lastGood));
            LOG.info(
                    "{}/{}: {} ({}); retrying",
                    binding.getMetadata().getNamespace(),
                    binding.getMetadata().getName(),
                    failure.getMessage(),
                    failure.reason().conditionReason());
            throw new RetriedFailure(status, plan.refreshInterval());
        }
        record(status.ready(observed.module(), observed.abi()));
        return reschedule(status.toUpdateControl(), plan.refreshInterval());
    }

    @Override
    public ErrorStatusUpdateControl<WasmBinding> updateErrorStatus(
            WasmBinding binding, Context<WasmBinding> context, Exception e) {
        return errorStatus(e, context.getRetryInfo().map(i -> i.getAttemptCount()).orElse(0));
    }

    /**
     * The failure status to patch. JOSDK retries with a delay per resource but one policy for all:
     * it cannot cap the delay at a binding's refreshInterval, so when the refresh is sooner than
     * the next retry this reschedules at the refresh instead (which restarts JOSDK's sequence).
     */
    ErrorStatusUpdateControl<WasmBinding> errorStatus(Exception e, int attempts) {
        // JOSDK's metrics wrap what reconcile throws (in an OperatorException): look through.
        Throwable cause = e;
        while (cause != null && !(cause instanceof RetriedFailure)) {
            cause = cause.getCause();
        }
        if (!(cause instanceof RetriedFailure failure)) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        ErrorStatusUpdateControl<WasmBinding> control =
                failure.status().toErrorStatusUpdateControl();
        Duration nextRetry = FetchRetry.nextDelay(retry, attempts);
        failure.refreshInterval()
                .filter(refresh -> refresh.compareTo(nextRetry) < 0)
                .ifPresent(control::rescheduleAfter);
        return control;
    }

    /**
     * The digest that stays served on a failed refresh: one Ready for this generation, and only
     * while the cache still has it (an emptied cache must not be reported as serving it).
     */
    private String lastGood(BindingStatusWriter.Draft status) {
        WasmBindingStatus old = status.old();
        return old != null
                        && old.getPhase() == Phase.Ready
                        && old.getDigest() != null
                        && !status.isNewSpec()
                        && cache.contains(old.getDigest())
                ? old.getDigest()
                : null;
    }

    private void record(ReconcileOutcome outcome) {
        metrics.reconciled(outcome);
    }

    private static UpdateControl<WasmBinding> reschedule(
            UpdateControl<WasmBinding> control, Optional<Duration> after) {
        return after.map(d -> control.rescheduleAfter(d.isZero() ? Duration.ofMillis(1) : d))
                .orElse(control);
    }

    /** The parts, made by the caller: the observer and status writer do the work. */
    public static final class Builder {
        private SpecValidator specValidator;
        private BindingObserver observer;
        private BindingStatusWriter statusWriter;
        private ModuleCache cache;
        private OperatorMetrics metrics;
        private GenericRetry retry = FetchRetry.fromAnnotation(WasmBindingReconciler.class);
        private ReconcileWatchdog watchdog;

        private Builder() {}

        public Builder withSpecValidator(SpecValidator specValidator) {
            this.specValidator = specValidator;
            return this;
        }

        public Builder withObserver(BindingObserver observer) {
            this.observer = observer;
            return this;
        }

        public Builder withStatusWriter(BindingStatusWriter statusWriter) {
            this.statusWriter = statusWriter;
            return this;
        }

        /** Where the last good digest must still be, to stay served after a failed refresh. */
        public Builder withCache(ModuleCache cache) {
            this.cache = cache;
            return this;
        }

        public Builder withMetrics(OperatorMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The retry of failed fetches; defaults to the {@link GradualRetry} above. */
        public Builder withRetry(GenericRetry retry) {
            this.retry = retry;
            return this;
        }

        /** Where reconciles report that they run, for the liveness probe. */
        public Builder withWatchdog(ReconcileWatchdog watchdog) {
            this.watchdog = watchdog;
            return this;
        }

        public WasmBindingReconciler build() {
            return new WasmBindingReconciler(this);
        }
    }
}
