package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.source.ModuleSource;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import dev.wasmbind.operator.testing.TestModules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetch → validate → store against a fake source and the real cache; no status involved. */
class BindingObserverTest {

    private static final BindingPlan PLAN =
            new BindingPlan(
                    URI.create("http://modules.example/m.wasm"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty());

    @TempDir Path cacheDir;

    private volatile byte[] content;
    private volatile FetchException failure;
    private volatile RuntimeException bug;
    private ModuleCache cache;
    private BindingObserver observer;

    @BeforeEach
    void setUp() throws Exception {
        ModuleSource source =
                (request, maxBytes) -> {
                    if (failure != null) {
                        throw failure;
                    }
                    if (bug != null) {
                        throw bug;
                    }
                    return new ModuleSource.Fetched(content, request.url().toString());
                };
        cache = new ModuleCache(cacheDir, Clock.systemUTC());
        observer =
                new BindingObserver(
                        ModuleFetcher.builder().withSource("http", source).build(),
                        ModuleValidator.create(),
                        cache,
                        new PullSecrets(null),
                        new OperatorMetrics(new SimpleMeterRegistry(), cache));
    }

    private static WasmBinding binding() {
        WasmBinding binding = new WasmBinding("b", new WasmBindingSpec(PLAN.url().toString()));
        binding.getMetadata().setNamespace("ns");
        return binding;
    }

    @Test
    void shouldReturnAValidatedModuleStoredInTheCache() throws Exception {
        content = TestModules.command("observer");

        BindingObserver.Observed observed = observer.observe(binding(), PLAN);

        String sha = Digests.sha256Hex(content);
        assertThat(observed.module().sha256()).isEqualTo(sha);
        assertThat(observed.abi()).isEqualTo(ModuleValidator.ABI_WASIP1_COMMAND);
        assertThat(cache.read(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
    }

    @Test
    void shouldTurnAFetchFailureIntoItsReason() {
        failure = new FetchException(FetchException.Reason.NOT_FOUND, "answered 404");

        assertThatThrownBy(() -> observer.observe(binding(), PLAN))
                .isInstanceOfSatisfying(
                        BindingFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(FailureReason.NOT_FOUND))
                .hasMessage("answered 404");
    }

    @Test
    void shouldTurnAnUnexpectedExceptionIntoAnInternalErrorFailure() {
        bug = new IllegalArgumentException("Illegal character in authority at index 7");

        assertThatThrownBy(() -> observer.observe(binding(), PLAN))
                .isInstanceOfSatisfying(
                        BindingFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(FailureReason.INTERNAL_ERROR))
                .hasMessageContaining("Illegal character in authority");
    }

    @Test
    void shouldRefuseAnInvalidModuleAndNotStoreIt() {
        content = "<html>nope</html>".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> observer.observe(binding(), PLAN))
                .isInstanceOfSatisfying(
                        BindingFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(FailureReason.NOT_WASM))
                .hasMessageStartingWith("invalid module from http://modules.example/m.wasm: ");
        assertThat(cache.contains(Digests.sha256Hex(content))).isFalse();
    }

    @Test
    void shouldEnforceThePinAsADigestMismatch() {
        content = TestModules.command("pinned");
        BindingPlan pinned =
                new BindingPlan(
                        PLAN.url(),
                        Optional.of("a".repeat(64)),
                        Optional.empty(),
                        Optional.empty());

        assertThatThrownBy(() -> observer.observe(binding(), pinned))
                .isInstanceOfSatisfying(
                        BindingFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(FailureReason.DIGEST_MISMATCH));
    }
}
