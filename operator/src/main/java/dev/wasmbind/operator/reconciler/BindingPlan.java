package dev.wasmbind.operator.reconciler;

import java.net.URI;
import java.time.Duration;
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
        Optional<Duration> refreshInterval) {}
