package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.validate.InvalidModuleException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FailureReasonTest {

    @Test
    void shouldMapEveryFetchReasonToAFetchFailure() {
        for (FetchException.Reason reason : FetchException.Reason.values()) {
            assertThat(FailureReason.of(reason).eventReason())
                    .as(reason.name())
                    .isEqualTo("FetchFailed");
        }
        assertThat(FailureReason.of(FetchException.Reason.TOO_LARGE).conditionReason())
                .isEqualTo("TooLarge");
        assertThat(FailureReason.of(FetchException.Reason.IO_ERROR).conditionReason())
                .isEqualTo("IoError");
    }

    @Test
    void shouldMapEveryModuleReasonToAnInvalidModule() {
        for (InvalidModuleException.Reason reason : InvalidModuleException.Reason.values()) {
            FailureReason mapped = FailureReason.of(reason);
            assertThat(mapped.moduleRefused()).as(reason.name()).isTrue();
            assertThat(mapped.eventReason()).isEqualTo("InvalidModule");
        }
        assertThat(FailureReason.of(InvalidModuleException.Reason.TOO_LARGE).conditionReason())
                .isEqualTo("ModuleTooLarge");
    }

    @Test
    void shouldGiveEachReasonItsOwnConditionReason() {
        assertThat(Arrays.stream(FailureReason.values()).map(FailureReason::conditionReason))
                .doesNotHaveDuplicates()
                .allMatch(r -> r.matches("[A-Z][A-Za-z]+"));
        assertThat(FailureReason.CACHE_ERROR.eventReason()).isEqualTo("FetchFailed");
        assertThat(FailureReason.INVALID_SPEC.eventReason()).isEqualTo("InvalidSpec");
    }
}
