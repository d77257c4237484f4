package dev.wasmbind.operator.reconciler;

import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.util.Optional;

/** The JOSDK retry policy for failed fetches: exponential, capped, never giving up. */
public final class FetchRetry {

    private FetchRetry() {}

    /** {@code initial}, then doubling up to {@code max}, for as long as the failure lasts. */
    public static GenericRetry of(Duration initial, Duration max) {
        return new GenericRetry()
                .setInitialInterval(initial)
                .setIntervalMultiplier(2)
                .setMaxInterval(max.toMillis())
                .withoutMaxAttempts();
    }

    /** The policy a reconciler class declares with {@link GradualRetry}. */
    static GenericRetry fromAnnotation(Class<?> reconciler) {
        GenericRetry retry = new GenericRetry();
        retry.initFrom(reconciler.getAnnotation(GradualRetry.class));
        return retry;
    }

    /** The delay JOSDK picks after {@code attempts} earlier retries under {@code retry}. */
    static Duration nextDelay(GenericRetry retry, int attempts) {
        RetryExecution execution = retry.initExecution();
        Optional<Long> delay = Optional.empty();
        for (int i = 0; i <= attempts; i++) {
            delay = execution.nextDelay();
        }
        return delay.map(Duration::ofMillis).orElse(Duration.ofMillis(Long.MAX_VALUE));
    }
}
