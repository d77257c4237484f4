package dev.wasmbind.sidecar.runtime;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    private static final GuestRunner RUNNER = new GuestRunner();

    private static String runModule(String module, String stdin, String... args)
            throws GuestFailure {
        return new String(
                RUNNER.run(
                        compiled(module),
                        RunSettings.builder(module).build(),
                        stdin.getBytes(StandardCharsets.UTF_8),
                        List.of(args)),
                StandardCharsets.UTF_8);
    }

    @Test
    void shouldStopARunawayGuestAtItsTimeoutAndReuseTheWorker() throws Exception {
        try (var pool = new WorkerPool(1, 4)) {
            var runaway = pool.submit(() -> runModule("loop", ""), Duration.ofMillis(200));

            assertThatThrownBy(runaway::get)
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(WorkerPool.TimedOut.class);
            // The only worker was interrupted; the next task must not see a stale flag.
            var next =
                    pool.submit(
                            () -> Thread.currentThread().isInterrupted(), Duration.ofSeconds(5));
            assertThat(next.get()).isFalse();
            assertThat(pool.submit(() -> runModule("cat", "x"), Duration.ofSeconds(5)).get())
                    .isEqualTo("x");
        }
    }

    @Test
    void shouldServeOtherCallsWhileAGuestRunsAway() throws Exception {
        try (var pool = new WorkerPool(2, 4)) {
            var runaway = pool.submit(() -> runModule("loop", ""), Duration.ofSeconds(30));

            String answer =
                    pool.submit(() -> runModule("cat", "still here"), Duration.ofSeconds(30)).get();

            assertThat(answer).isEqualTo("still here");
            assertThat(runaway).isNotDone();
            runaway.cancel(true);
        }
    }

    @Test
    void shouldReportSaturationWhenWorkersAndQueueAreFull() throws Exception {
        var release = new CountDownLatch(1);
        try (var pool = new WorkerPool(1, 1)) {
            var running =
                    pool.submit(() -> release.await(30, TimeUnit.SECONDS), Duration.ofSeconds(30));
            var queued =
                    pool.submit(() -> release.await(30, TimeUnit.SECONDS), Duration.ofSeconds(30));

            var rejected = pool.submit(() -> "never", Duration.ofSeconds(30));

            assertThatThrownBy(rejected::get).hasCauseInstanceOf(WorkerPool.Saturated.class);
            release.countDown();
            assertThat(running.get()).isTrue();
            assertThat(queued.get()).isTrue();
        }
    }

    @Test
    void shouldPassOnTheTasksOwnFailure() {
        try (var pool = new WorkerPool(1, 1)) {
            var failing = pool.submit(() -> runModule("fail", "", "7"), Duration.ofSeconds(30));

            assertThatThrownBy(failing::get)
                    .hasCauseInstanceOf(GuestFailure.class)
                    .hasMessageContaining("exit_code(7)");
        }
    }
}
