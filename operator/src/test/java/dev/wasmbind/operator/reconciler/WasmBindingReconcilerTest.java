package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.source.ModuleSource;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.status.EventRecorder;
import dev.wasmbind.operator.testing.TestModules;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retry and patch decisions, read straight from the UpdateControl (no API server, no timing). */
class WasmBindingReconcilerTest {

    @TempDir Path cacheDir;

    private final List<String> events = new ArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile byte[] content = TestModules.command("unit");
    private volatile FetchException failure;
    private WasmBindingReconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        ModuleSource source =
                (request, maxBytes) -> {
                    fetches.incrementAndGet();
                    if (failure != null) {
                        throw failure;
                    }
                    return new ModuleSource.Fetched(content, request.url().toString());
                };
        ModuleCache cache = new ModuleCache(cacheDir, Clock.systemUTC());
        EventRecorder recorder =
                (binding, type, reason, message) -> events.add(type + " " + reason);
        reconciler =
                reconciler(
                        ModuleFetcher.builder().withSource("http", source).build(),
                        cache,
                        recorder);
    }

    /** The reconciler as WasmBindOperator assembles it, on this fetcher, cache and recorder. */
    private static WasmBindingReconciler reconciler(
            ModuleFetcher fetcher, ModuleCache cache, EventRecorder recorder) {
        var metrics = new OperatorMetrics(new SimpleMeterRegistry(), cache);
        return WasmBindingReconciler.builder()
                .withSpecValidator(new SpecValidator(false, Duration.ofSeconds(1)))
                .withObserver(
                        new BindingObserver(
                                fetcher,
                                ModuleValidator.create(),
                                cache,
                                new PullSecrets(null),
                                metrics))
                .withStatusWriter(new BindingStatusWriter(recorder, Clock.systemUTC()))
                .withCache(cache)
                .withMetrics(metrics)
                .withRetry(FetchRetry.of(Duration.ofSeconds(2), Duration.ofSeconds(10)))
                .build();
    }

    private RetryExecution retrying;

    /**
     * One reconcile as JOSDK runs it: the patched status becomes the binding's. A failure goes
     * through the error status handler and is rescheduled by the reconciler's retry; the control
     * returned then carries that delay.
     */
    private UpdateControl<WasmBinding> reconcile(WasmBindingReconciler r, WasmBinding binding) {
        try {
            UpdateControl<WasmBinding> control = r.reconcile(binding, null);
            retrying = null;
            control.getResource().ifPresent(b -> binding.setStatus(b.getStatus()));
            return control;
        } catch (RetriedFailure e) {
            if (retrying == null) {
                retrying = r.retry().initExecution();
            }
            // Wrapped as JOSDK's micrometer metrics wrap what a reconcile throws.
            ErrorStatusUpdateControl<WasmBinding> error =
                    r.errorStatus(new OperatorException(e), retrying.getAttemptCount());
            error.getResource().ifPresent(b -> binding.setStatus(b.getStatus()));
            long delay;
            if (error.isNoRetry()) {
                retrying = null;
                delay = error.getScheduleDelay().orElseThrow();
            } else {
                delay = retrying.nextDelay().orElseThrow();
            }
            return UpdateControl.<WasmBinding>noUpdate().rescheduleAfter(delay);
        }
    }

    /** Reconciles past the "Fetching" step a new spec starts with. */
    private UpdateControl<WasmBinding> settle(WasmBindingReconciler r, WasmBinding binding) {
        UpdateControl<WasmBinding> control = reconcile(r, binding);
        while (binding.getStatus() != null && binding.getStatus().getPhase() == Phase.Fetching) {
            control = reconcile(r, binding);
        }
        return control;
    }

    private static WasmBinding binding(String url) {
        WasmBinding binding = new WasmBinding("b", new WasmBindingSpec(url));
        binding.getMetadata().setNamespace("ns");
        binding.getMetadata().setUid("uid-1");
        binding.getMetadata().setGeneration(1L);
        return binding;
    }

    @Test
    void shouldNotRescheduleAnInvalidSpec() throws Exception {
        UpdateControl<WasmBinding> control = reconciler.reconcile(binding("ftp://x/m.wasm"), null);

        assertThat(control.isPatchStatus()).isTrue();
        assertThat(control.getScheduleDelay()).isEmpty();
        assertThat(control.getResource().orElseThrow().getStatus().getPhase())
                .isEqualTo(Phase.Failed);
        assertThat(fetches).hasValue(0);
    }

    @Test
    void shouldNotPatchOrWarnAgainWhenNothingChanged() {
        WasmBinding binding = binding("ftp://x/m.wasm");
        settle(reconciler, binding);

        UpdateControl<WasmBinding> again = reconcile(reconciler, binding);

        assertThat(again.isNoUpdate()).isTrue();
        assertThat(events).containsExactly("Warning InvalidSpec");
    }

    @Test
    void shouldBackOffExponentiallyOnFetchFailuresAndResetOnSuccess() {
        failure = new FetchException(FetchException.Reason.BAD_RESPONSE, "answered 503");
        WasmBinding binding = binding("http://modules.example/m.wasm");

        UpdateControl<WasmBinding> fetching = reconcile(reconciler, binding);
        assertThat(binding.getStatus().getPhase()).isEqualTo(Phase.Fetching);
        assertThat(binding.getStatus().getMessage())
                .isEqualTo("fetching http://modules.example/m.wasm");
        assertThat(fetching.getScheduleDelay()).contains(1L);
        assertThat(fetches).hasValue(0);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UpdateControl<WasmBinding> control = reconcile(reconciler, binding);
            assertThat(binding.getStatus().getPhase()).isEqualTo(Phase.Failed);
            delays.add(Duration.ofMillis(control.getScheduleDelay().orElseThrow()));
        }
        failure = null;
        UpdateControl<WasmBinding> ok = reconcile(reconciler, binding);

        // JOSDK's GenericRetry waits the initial delay twice before it starts doubling.
        assertThat(delays)
                .containsExactly(
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(10));
        assertThat(events).containsExactly("Warning FetchFailed", "Normal Fetched");
        assertThat(ok.getResource().orElseThrow().getStatus().getPhase()).isEqualTo(Phase.Ready);
        assertThat(ok.getScheduleDelay()).isEmpty();
    }

    @Test
    void shouldRetryNoLaterThanTheRefreshInterval() {
        failure = new FetchException(FetchException.Reason.BAD_RESPONSE, "answered 503");
        WasmBinding binding = binding("http://modules.example/m.wasm");
        binding.getSpec().setRefreshInterval("3s");
        settle(reconciler, binding);

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            delays.add(
                    Duration.ofMillis(
                            reconcile(reconciler, binding).getScheduleDelay().orElseThrow()));
        }

        // The retry's 4s step is capped at the 3s refresh, which restarts the retry sequence.
        assertThat(delays)
                .containsExactly(
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3));
        assertThat(binding.getStatus().getPhase()).isEqualTo(Phase.Failed);
        assertThat(events).containsExactly("Warning FetchFailed");
    }

    @Test
    void shouldNotFetchAgainForTheSameGenerationWithoutRefresh() {
        WasmBinding binding = binding("http://modules.example/m.wasm");
        settle(reconciler, binding);

        UpdateControl<WasmBinding> again = reconcile(reconciler, binding);

        assertThat(fetches).hasValue(1);
        assertThat(again.isNoUpdate()).isTrue();
        assertThat(again.getScheduleDelay()).isEmpty();
    }

    @Test
    void shouldNotClaimToServeADigestTheCacheNoLongerHas() throws Exception {
        WasmBinding binding = binding("http://modules.example/m.wasm");
        settle(reconciler, binding);
        try (var files = java.nio.file.Files.list(cacheDir.resolve("sha256"))) {
            for (Path file : files.toList()) {
                java.nio.file.Files.delete(file);
            }
        }
        ModuleCache emptied = new ModuleCache(cacheDir, Clock.systemUTC());
        failure = new FetchException(FetchException.Reason.NOT_FOUND, "gone (404)");
        WasmBindingReconciler restarted =
                reconciler(
                        ModuleFetcher.builder()
                                .withSource(
                                        "http",
                                        (request, max) -> {
                                            throw failure;
                                        })
                                .build(),
                        emptied,
                        (b, type, reason, message) -> {});

        settle(restarted, binding);

        var status = binding.getStatus();
        assertThat(status.getPhase()).isEqualTo(Phase.Failed);
        assertThat(status.getDigest()).isNull();
        assertThat(status.getMessage()).contains("gone (404)");
    }

    @Test
    void shouldRescheduleAtTheRefreshInterval() {
        WasmBinding binding = binding("http://modules.example/m.wasm");
        binding.getSpec().setRefreshInterval("5m");

        UpdateControl<WasmBinding> control = settle(reconciler, binding);

        assertThat(control.getScheduleDelay()).contains(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void shouldNameTheFieldOfAnInvalidSpec() throws Exception {
        SpecValidator validator = new SpecValidator(false, Duration.ofSeconds(10));
        WasmBindingSpec spec = new WasmBindingSpec("https://h/m.wasm");
        spec.setRefreshInterval("1s");
        assertInvalid(
                validator,
                spec,
                "spec.refreshInterval 1s is shorter than the operator's minimum of 10s");
        assertInvalid(validator, new WasmBindingSpec("file://rel/m.wasm"), "--allow-file-urls");
        assertInvalid(
                new SpecValidator(true, Duration.ZERO),
                new WasmBindingSpec("file://rel/m.wasm"),
                "relative file:// URLs only work in standalone mode");
        assertInvalid(validator, new WasmBindingSpec("https:///m.wasm"), "has no host");
        WasmBindingSpec limits = new WasmBindingSpec("https://h/m.wasm");
        limits.setLimits(new dev.wasmbind.api.v1alpha1.Limits());
        limits.getLimits().setTimeout("10 parsecs");
        assertInvalid(validator, limits, "spec.limits.timeout");
        assertThat(
                        new SpecValidator(true, Duration.ZERO)
                                .validate(new WasmBindingSpec("file:///m.wasm"))
                                .url())
                .hasToString("file:///m.wasm");
    }

    @Test
    void shouldNotRefreshContentPinnedByDigest() throws Exception {
        SpecValidator validator = new SpecValidator(false, Duration.ofSeconds(1));
        WasmBindingSpec pinned = new WasmBindingSpec("https://h/m.wasm");
        pinned.setSha256("b".repeat(64));
        pinned.setRefreshInterval("5m");
        WasmBindingSpec byDigest =
                new WasmBindingSpec("oci://r.example/repo@sha256:" + "c".repeat(64));
        byDigest.setRefreshInterval("5m");
        WasmBindingSpec byTag = new WasmBindingSpec("oci://r.example/repo:v1");
        byTag.setRefreshInterval("5m");

        assertThat(validator.validate(pinned).refreshInterval()).isEmpty();
        assertThat(validator.validate(byDigest).refreshInterval()).isEmpty();
        assertThat(validator.validate(byTag).refreshInterval()).contains(Duration.ofMinutes(5));
    }

    private static void assertInvalid(SpecValidator validator, WasmBindingSpec spec, String part) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> validator.validate(spec))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining(part);
    }
}
