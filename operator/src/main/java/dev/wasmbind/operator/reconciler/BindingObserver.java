package dev.wasmbind.operator.reconciler;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchRequest;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.validate.InvalidModuleException;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.metrics.OperatorMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * Fetches a binding's module, validates it and stores it in the cache: the module, or a {@link
 * BindingFailure} saying which step failed and why. Writes no status.
 */
public final class BindingObserver {

    /**
     * A module ready to serve.
     *
     * @param module what was fetched
     * @param abi the ABI the validator found
     */
    public record Observed(FetchedModule module, String abi) {}

    private final ModuleFetcher fetcher;
    private final ModuleValidator validator;
    private final ModuleCache cache;
    private final PullSecrets pullSecrets;
    private final OperatorMetrics metrics;
    private final InflightFetches inflight;

    public BindingObserver(
            ModuleFetcher fetcher,
            ModuleValidator validator,
            ModuleCache cache,
            PullSecrets pullSecrets,
            OperatorMetrics metrics) {
        this(fetcher, validator, cache, pullSecrets, metrics, InflightFetches.DEFAULT_MAX_WAIT);
    }

    /** {@code maxInflightWait}: how long a binding waits for another's fetch of the same module. */
    public BindingObserver(
            ModuleFetcher fetcher,
            ModuleValidator validator,
            ModuleCache cache,
            PullSecrets pullSecrets,
            OperatorMetrics metrics,
            Duration maxInflightWait) {
        this.inflight = new InflightFetches(maxInflightWait);
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.pullSecrets = Objects.requireNonNull(pullSecrets, "pullSecrets");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Fetch, then validate (unless the cache already holds the digest), then store. Any exception
     * ends as a {@link BindingFailure}: a bug or an input no step foresaw (a malformed URL from a
     * server) must fail the binding with its reason, never leave it in {@code Fetching}.
     */
    public Observed observe(WasmBinding binding, BindingPlan plan) throws BindingFailure {
        try {
            return observeOrThrow(binding, plan);
        } catch (RuntimeException e) {
            throw new BindingFailure(
                    FailureReason.INTERNAL_ERROR,
                    "unexpected error handling " + plan.url() + ": " + e,
                    e);
        }
    }

    private Observed observeOrThrow(WasmBinding binding, BindingPlan plan) throws BindingFailure {
        FetchedModule module;
        try {
            module = fetch(binding.getMetadata().getNamespace(), plan);
        } catch (FetchException e) {
            throw new BindingFailure(FailureReason.of(e.reason()), e.getMessage(), e);
        }
        String abi = ModuleValidator.ABI_WASIP1_COMMAND;
        try {
            if (!cache.contains(module.sha256())) {
                abi = validator.check(module.bytes()).abi();
            }
        } catch (InvalidModuleException e) {
            throw new BindingFailure(
                    FailureReason.of(e.reason()),
                    "invalid module from " + plan.url() + ": " + e.getMessage(),
                    e);
        }
        try {
            cache.store(module.sha256(), module.bytes());
        } catch (IOException e) {
            throw new BindingFailure(
                    FailureReason.CACHE_ERROR,
                    "cannot store the module in the cache: " + e.getMessage(),
                    e);
        }
        return new Observed(module, abi);
    }

    private FetchedModule fetch(String namespace, BindingPlan plan) throws FetchException {
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
}
