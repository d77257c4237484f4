package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingCondition;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.operator.metrics.ReconcileOutcome;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition the status writer owns, with a fixed clock and recorded events. */
class BindingStatusWriterTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final FetchedModule MODULE =
            new FetchedModule(new byte[] {0, 97, 115, 109}, "ab".repeat(32), "http://h/m.wasm");

    private final List<String> events = new ArrayList<>();
    private final BindingStatusWriter writer =
            new BindingStatusWriter(
                    (binding, type, reason, message) ->
                            events.add(type + " " + reason + ": " + message),
                    Clock.fixed(T0, ZoneOffset.UTC));

    private static WasmBinding binding() {
        WasmBinding binding = new WasmBinding("b", new WasmBindingSpec("http://h/m.wasm"));
        binding.getMetadata().setNamespace("ns");
        binding.getMetadata().setGeneration(3L);
        return binding;
    }

    /** Applies a draft's patch as the API server would. */
    private static void apply(WasmBinding binding, BindingStatusWriter.Draft draft) {
        draft.toUpdateControl().getResource().ifPresent(b -> binding.setStatus(b.getStatus()));
    }

    @Test
    void shouldSayFetchingForANewSpec() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft draft = writer.draft(binding);

        assertThat(draft.isNewSpec()).isTrue();
        assertThat(draft.fetching(URI.create("http://h/m.wasm")))
                .isEqualTo(ReconcileOutcome.FETCHING);
        apply(binding, draft);

        WasmBindingStatus status = binding.getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Fetching);
        assertThat(status.getObservedGeneration()).isEqualTo(3L);
        WasmBindingCondition fetched = status.condition("Fetched").orElseThrow();
        assertThat(fetched.getStatus()).isEqualTo("Unknown");
        assertThat(fetched.getReason()).isEqualTo("Fetching");
        assertThat(events).isEmpty();
    }

    @Test
    void shouldReportReadyAndRecordOneNormalEventPerDigest() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft first = writer.draft(binding);
        first.ready(MODULE, "wasip1-command");
        apply(binding, first);

        BindingStatusWriter.Draft again = writer.draft(binding);
        assertThat(again.isNewSpec()).isFalse();
        assertThat(again.ready(MODULE, "wasip1-command")).isEqualTo(ReconcileOutcome.READY);

        WasmBindingStatus status = binding.getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Ready);
        assertThat(status.getDigest()).isEqualTo("sha256:" + "ab".repeat(32));
        assertThat(status.getShortDigest()).isEqualTo("abababababab");
        assertThat(status.getSize()).isEqualTo(4L);
        assertThat(status.getLastFetchTime()).isEqualTo("2026-01-01T10:00:00Z");
        assertThat(status.getConditions())
                .extracting(WasmBindingCondition::getStatus)
                .containsOnly("True");
        assertThat(again.changed()).isFalse();
        assertThat(again.toUpdateControl().isNoUpdate()).isTrue();
        assertThat(events)
                .hasSize(1)
                .allMatch(e -> e.startsWith("Normal Fetched: fetched sha256:"));
    }

    @Test
    void shouldFailWithTheReasonOnFetchedAndReadyAndNothingToValidate() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft draft = writer.draft(binding);

        ReconcileOutcome outcome =
                draft.failed(new BindingFailure(FailureReason.NOT_FOUND, "gone (404)"), null);
        apply(binding, draft);

        assertThat(outcome).isEqualTo(ReconcileOutcome.FAILED);
        WasmBindingStatus status = binding.getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Failed);
        assertThat(status.getMessage()).isEqualTo("gone (404)");
        assertThat(status.condition("Fetched").orElseThrow().getReason()).isEqualTo("NotFound");
        assertThat(status.condition("Validated").orElseThrow().getReason()).isEqualTo("NotFetched");
        assertThat(status.condition("Validated").orElseThrow().getStatus()).isEqualTo("Unknown");
        assertThat(status.condition("Ready").orElseThrow().getReason()).isEqualTo("NotFound");
        assertThat(events).containsExactly("Warning FetchFailed: gone (404)");
    }

    @Test
    void shouldSayAnInvalidModuleWasFetchedButNotValid() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft draft = writer.draft(binding);

        draft.failed(new BindingFailure(FailureReason.COMPONENT, "a component"), null);
        apply(binding, draft);

        WasmBindingStatus status = binding.getStatus();
        assertThat(status.condition("Fetched").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(status.condition("Validated").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(status.condition("Validated").orElseThrow().getReason()).isEqualTo("Component");
        assertThat(events).containsExactly("Warning InvalidModule: a component");
    }

    @Test
    void shouldCountAnInvalidSpecApartAndWarnOncePerDistinctProblem() {
        WasmBinding binding = binding();
        for (String message : List.of("spec.url is required", "spec.url is required", "other")) {
            BindingStatusWriter.Draft draft = writer.draft(binding);
            assertThat(draft.failed(new BindingFailure(FailureReason.INVALID_SPEC, message), null))
                    .isEqualTo(ReconcileOutcome.INVALID_SPEC);
            apply(binding, draft);
        }

        assertThat(events)
                .containsExactly(
                        "Warning InvalidSpec: spec.url is required", "Warning InvalidSpec: other");
    }

    @Test
    void shouldKeepTheLastGoodDigestReadyOnAFailedRefresh() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft ready = writer.draft(binding);
        ready.ready(MODULE, "wasip1-command");
        apply(binding, ready);
        String readySince =
                binding.getStatus().condition("Ready").orElseThrow().getLastTransitionTime();
        BindingStatusWriter later =
                new BindingStatusWriter(
                        (b, type, reason, message) -> events.add(type + " " + reason),
                        Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC));

        BindingStatusWriter.Draft draft = later.draft(binding);
        ReconcileOutcome outcome =
                draft.failed(
                        new BindingFailure(FailureReason.NOT_WASM, "not wasm"), MODULE.digest());
        apply(binding, draft);

        assertThat(outcome).isEqualTo(ReconcileOutcome.REFRESH_FAILED);
        WasmBindingStatus status = binding.getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Ready);
        assertThat(status.getDigest()).isEqualTo(MODULE.digest());
        assertThat(status.getMessage())
                .isEqualTo("refresh failed: not wasm; still serving " + MODULE.digest());
        WasmBindingCondition readyCondition = status.condition("Ready").orElseThrow();
        assertThat(readyCondition.getReason()).isEqualTo("ServingLastGood");
        assertThat(readyCondition.getLastTransitionTime()).isEqualTo(readySince);
        assertThat(status.condition("Fetched").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(status.condition("Validated").orElseThrow().getReason()).isEqualTo("NotWasm");
        assertThat(events).last().isEqualTo("Warning InvalidModule");
    }

    @Test
    void shouldNotTouchTheBindingsOwnStatusWhileDrafting() {
        WasmBinding binding = binding();
        BindingStatusWriter.Draft ready = writer.draft(binding);
        ready.ready(MODULE, "wasip1-command");
        apply(binding, ready);
        WasmBindingStatus before = binding.getStatus();

        writer.draft(binding).failed(new BindingFailure(FailureReason.TIMEOUT, "slow"), null);

        assertThat(binding.getStatus()).isSameAs(before);
        assertThat(before.getPhase()).isEqualTo(Phase.Ready);
        assertThat(before.condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
    }
}
