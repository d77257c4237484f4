package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loops Chicory's interpreter did not stop on its own ({@code br_if}, {@code br_table}, a function
 * too large for the compiler): every one must end at its timeout and give its worker back.
 */
class RunawayGuestTest {

    private static final GuestRunner RUNNER = new GuestRunner();
    private static final byte[] HUGE = RunawayGuests.hugeFunction(30_000);

    static Stream<Arguments> runaways() {
        return Stream.of(
                Arguments.of(
                        "br_if, interpreted", RunawayGuests.interpreted(RunawayGuests.brIfLoop())),
                Arguments.of("br_if, compiled", RunawayGuests.compiled(RunawayGuests.brIfLoop())),
                Arguments.of(
                        "br_table, interpreted",
                        RunawayGuests.interpreted(RunawayGuests.brTableLoop())),
                Arguments.of(
                        "br_table, compiled", RunawayGuests.compiled(RunawayGuests.brTableLoop())),
                Arguments.of("huge function, compiled", RunawayGuests.compiled(HUGE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runaways")
    void shouldStopTheGuestAtItsTimeoutAndFreeTheWorker(String name, CompiledModule module)
            throws Exception {
        try (var pool = new WorkerPool(1, 4)) {
            var runaway =
                    pool.submit(
                            () ->
                                    RUNNER.run(
                                            module,
                                            RunSettings.builder("runaway").build(),
                                            new byte[0],
                                            List.of()),
                            Duration.ofMillis(200));

            // Bounded waits only so that a regression fails instead of hanging the build.
            assertThatThrownBy(() -> runaway.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(WorkerPool.TimedOut.class);
            // The single worker is back (not abandoned): it runs the next task.
            assertThat(pool.submit(() -> "next", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
                    .isEqualTo("next");
            assertThat(pool.abandonedWorkers()).isZero();
        }
    }
}
