package dev.wasmbind.operator.reconciler;

import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A spec that passed validation, in the operator's terms.
 *
 * @param url the module's URL
 * @param sha256 the pin, lowercase hex, if any
 * @param pullSecret the Secret holding credentials, if any
 * @param refreshInterval how often to re-fetch, if at all
 */
public record BindingPlan(
        URI url,
        Optional<String> sha256,
        Optional<String> pullSecret,
        Optional<Duration> refreshInterval) {

    /**
     * Time left until the next refresh after the fetch {@code status} records: zero when due, empty
     * when the binding never refreshes.
     */
    public Optional<Duration> untilRefresh(WasmBindingStatus status, Instant now) {
        if (refreshInterval.isEmpty()) {
            return Optional.empty();
        }
        Instant last;
        try {
            last =
                    status == null || status.getLastFetchTime() == null
                            ? Instant.EPOCH
                            : Instant.parse(status.getLastFetchTime());
        } catch (RuntimeException e) {
            last = Instant.EPOCH;
        }
        Duration left = Duration.between(now, last.plus(refreshInterval.get()));
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }
}
