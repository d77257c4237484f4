package dev.wasmbind.operator.reconciler;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed fetch, validation or store whose status is drafted; the reconciler throws it so that
 * JOSDK patches that status ({@code updateErrorStatus}) and retries. No stack trace: it is an
 * expected outcome, and JOSDK logs it on every retry.
 */
public final class RetriedFailure extends Exception {

    private final transient BindingStatusWriter.Draft status;
    private final Optional<Duration> refreshInterval;

    RetriedFailure(BindingStatusWriter.Draft status, Optional<Duration> refreshInterval) {
        super(status.message(), null, false, false);
        this.status = status;
        this.refreshInterval = refreshInterval;
    }

    BindingStatusWriter.Draft status() {
        return status;
    }

    /** The binding's refresh period, which caps the retry delay. */
    Optional<Duration> refreshInterval() {
        return refreshInterval;
    }
}
