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
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.metrics.ReconcileOutcome;
import dev.wasmbind.operator.status.Conditions;
import dev.wasmbind.operator.status.EventRecorder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every phase and condition transition of a WasmBinding's status and the Events that go with
 * them. A reconcile opens a {@link Draft} (a deep copy of the status), applies one transition and
 * hands the draft back as a patch, which is empty when nothing changed.
 */
public final class BindingStatusWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BindingStatusWriter.class);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final EventRecorder events;
    private final Clock clock;

    public BindingStatusWriter(EventRecorder events, Clock clock) {
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts the next status of {@code binding} from a copy of its current one. */
    public Draft draft(WasmBinding binding) {
        return new Draft(binding, clock.instant());
    }

    /** The next status of one binding, built by exactly one transition. */
    public final class Draft {
        private final WasmBinding binding;
        private final WasmBindingStatus old;
        private final WasmBindingStatus next;
        private final long generation;
        private final Instant now;

        private Draft(WasmBinding binding, Instant now) {
            this.binding = binding;
            this.old = binding.getStatus();
            this.next = old == null ? new WasmBindingStatus() : SERIALIZATION.clone(old);
            Long gen = binding.getMetadata().getGeneration();
            this.generation = gen == null ? 0 : gen;
            this.now = now;
            next.setObservedGeneration(generation);
        }

        /** The status as the reconcile found it; null for a new binding. */
        public WasmBindingStatus old() {
            return old;
        }

        public long generation() {
            return generation;
        }

        public Instant now() {
            return now;
        }

        /** True when the status last described an older spec (or none). */
        public boolean isNewSpec() {
            return old == null || !Objects.equals(old.getObservedGeneration(), generation);
        }

        /**
         * A new spec: say "Fetching" first, because a fetch may take up to the fetch timeout. The
         * other conditions keep the observedGeneration they were computed for.
         */
        public ReconcileOutcome fetching(URI url) {
            next.setPhase(Phase.Fetching);
            next.setMessage("fetching " + url);
            Conditions.set(next, FETCHED, UNKNOWN, "Fetching", "fetching " + url, generation, now);
            return ReconcileOutcome.FETCHING;
        }

        /** Serving {@code module}; a Normal event when the digest is new. */
        public ReconcileOutcome ready(FetchedModule module, String abi) {
            String digest = module.digest();
            long size = module.bytes().length;
            set(
                    FETCHED,
                    TRUE,
                    "Fetched",
                    "fetched " + size + " bytes from " + module.resolvedFrom());
            set(
                    VALIDATED,
                    TRUE,
                    "Valid",
                    ModuleValidator.ABI_WASIP1_COMMAND + " module exporting _start and memory");
            set(READY, TRUE, "Ready", "serving " + digest);
            next.setPhase(Phase.Ready);
            next.setDigest(digest);
            next.setShortDigest(module.sha256().substring(0, 12));
            next.setSize(size);
            next.setAbi(abi);
            next.setLastFetchTime(Conditions.rfc3339(now));
            next.setMessage("serving " + digest + " (" + size + " bytes)");
            if (old == null || !digest.equals(old.getDigest())) {
                events.record(
                        binding,
                        EventRecorder.NORMAL,
                        "Fetched",
                        "fetched "
                                + digest
                                + " ("
                                + size
                                + " bytes) from "
                                + module.resolvedFrom());
                LOG.info("{} ready with {}", name(), digest);
            }
            return ReconcileOutcome.READY;
        }

        /**
         * The binding cannot be served. With a last good digest (a failed refresh) it stays Ready
         * on that digest and says why the new content is not used; otherwise it is Failed with no
         * digest. A Warning event once per distinct problem, not once per retry.
         */
        public ReconcileOutcome failed(BindingFailure failure, String lastGood) {
            FailureReason reason = failure.reason();
            String why = reason.conditionReason();
            String message = failure.getMessage();
            ReconcileOutcome outcome;
            if (lastGood != null) {
                String kept = "; still serving " + lastGood;
                set(FETCHED, FALSE, why, "refresh failed: " + message);
                if (reason.moduleRefused()) {
                    set(VALIDATED, FALSE, why, message + kept);
                }
                set(READY, TRUE, "ServingLastGood", "refresh failed (" + why + ")" + kept);
                next.setPhase(Phase.Ready);
                next.setMessage("refresh failed: " + message + kept);
                outcome = ReconcileOutcome.REFRESH_FAILED;
            } else {
                boolean fetched = reason.moduleRefused(); // an invalid module was fetched fine
                if (fetched) {
                    set(FETCHED, TRUE, "Fetched", "fetched, but the module is invalid");
                    set(VALIDATED, FALSE, why, message);
                } else {
                    set(FETCHED, FALSE, why, message);
                    set(
                            VALIDATED,
                            UNKNOWN,
                            "NotFetched",
                            "nothing to validate: the module was not fetched");
                }
                set(READY, FALSE, why, message);
                next.setPhase(Phase.Failed);
                next.setMessage(message);
                next.setDigest(null);
                next.setShortDigest(null);
                next.setSize(null);
                next.setAbi(null);
                outcome =
                        reason == FailureReason.INVALID_SPEC
                                ? ReconcileOutcome.INVALID_SPEC
                                : ReconcileOutcome.FAILED;
            }
            if (old == null || !Objects.equals(old.getMessage(), next.getMessage())) {
                events.record(binding, EventRecorder.WARNING, reason.eventReason(), message());
            }
            return outcome;
        }

        /** The message the next status carries. */
        public String message() {
            return next.getMessage();
        }

        public boolean changed() {
            return !next.equals(old);
        }

        /** A status patch, or no update when nothing changed. */
        public UpdateControl<WasmBinding> toUpdateControl() {
            if (!changed()) {
                return UpdateControl.noUpdate();
            }
            binding.setStatus(next);
            return UpdateControl.patchStatus(binding);
        }

        /** The same, for JOSDK's error path (the failure is retried by the framework). */
        public ErrorStatusUpdateControl<WasmBinding> toErrorStatusUpdateControl() {
            if (!changed()) {
                return ErrorStatusUpdateControl.noStatusUpdate();
            }
            binding.setStatus(next);
            return ErrorStatusUpdateControl.patchStatus(binding);
        }

        private String name() {
            return binding.getMetadata().getNamespace() + "/" + binding.getMetadata().getName();
        }

        private void set(String type, String value, String reason, String message) {
            Conditions.set(next, type, value, reason, message, generation, now);
        }
    }
}
