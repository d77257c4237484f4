package dev.wasmbind.sidecar.runtime;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
    void shouldAddAWorkerWhileATaskRunsLongAndTakeItAwayAfter() throws Exception {
        var clock = new AtomicLong();
        try (var pool = new WorkerPool(1, 2, 8, 3, clock::get)) {
            var started = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var slow =
                    pool.submit(
                            () -> {
                                started.countDown();
                                release.await();
                                return "slow";
                            },
                            Duration.ofHours(1));
            started.await();
            var quick = pool.submit(() -> "quick", Duration.ofHours(1));

            // The only worker is held; once its task has run long, the queued one gets a worker.
            clock.addAndGet(WorkerPool.LONG_CALL.toNanos());
            assertThat(quick.get(30, TimeUnit.SECONDS)).isEqualTo("quick");
            assertThat(slow).isNotDone();
            assertThat(pool.workerThreads()).isEqualTo(2);

            release.countDown();
            assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo("slow");
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.workerThreads() == 1);
        }
    }

    @Test
    void shouldAddNoWorkerBeyondItsMaximum() throws Exception {
        var clock = new AtomicLong();
        try (var pool = new WorkerPool(1, 4, 3, clock::get)) {
            var started = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var slow =
                    pool.submit(
                            () -> {
                                started.countDown();
                                release.await();
                                return "slow";
                            },
                            Duration.ofHours(1));
            started.await();
            var quick = pool.submit(() -> "quick", Duration.ofHours(1));
            clock.addAndGet(WorkerPool.LONG_CALL.toNanos());

            // A few watchdog ticks: still one worker, the queued task waits for it.
            Thread.sleep(100);
            assertThat(pool.workerThreads()).isEqualTo(1);
            assertThat(quick).isNotDone();
            release.countDown();
            assertThat(quick.get(30, TimeUnit.SECONDS)).isEqualTo("quick");
            assertThat(slow.get()).isEqualTo("slow");
        }
    }

    /** A task that ignores interrupts, as a host call might: the pool must not wait for it. */
    private static boolean ignoringInterrupts(CountDownLatch release) {
        boolean interrupted = false;
        while (release.getCount() > 0) {
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    @Test
    void shouldAnswerAtTheDeadlineAndReplaceAWorkerATaskWillNotGiveBack() throws Exception {
        var release = new CountDownLatch(1);
        try (var pool = new WorkerPool(1, 4, 1, System::nanoTime)) {
            var stuck = pool.submit(() -> ignoringInterrupts(release), Duration.ofMillis(100));

            // The answer comes at the deadline although the task still runs.
            assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WorkerPool.TimedOut.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.abandonedWorkers() == 1);
            assertThat(pool.unhealthyReason())
                    .hasValueSatisfying(
                            reason -> assertThat(reason).contains("1 guests could not be stopped"));
            // The only worker is held: its replacement serves the next task.
            assertThat(pool.submit(() -> "next", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
                    .isEqualTo("next");

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.abandonedWorkers() == 0);
            assertThat(pool.unhealthyReason()).isEmpty();
            assertThat(pool.abandonedWorkersTotal()).isEqualTo(1);
            assertThat(pool.submit(() -> "after", Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
                    .isEqualTo("after");
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldStayHealthyBelowTheThresholdOfAbandonedWorkers() throws Exception {
        var release = new CountDownLatch(1);
        try (var pool = new WorkerPool(2, 4, 2, System::nanoTime)) {
            var stuck = pool.submit(() -> ignoringInterrupts(release), Duration.ofMillis(100));
            assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WorkerPool.TimedOut.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.abandonedWorkers() == 1);

            assertThat(pool.unhealthyReason()).isEmpty();
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldKeepTimingOutAfterTheWatchdogFails() throws Exception {
        var failNextRead = new AtomicBoolean();
        LongSupplier clock =
                () -> {
                    if (failNextRead.getAndSet(false)) {
                        throw new IllegalStateException("injected clock failure");
                    }
                    return System.nanoTime();
                };
        try (var pool = new WorkerPool(1, 4, 3, clock)) {
            var runaway =
                    pool.submit(
                            () -> {
                                // The worker has read the clock: the next read is the watchdog's.
                                failNextRead.set(true);
                                return runModule("loop", "");
                            },
                            Duration.ofMillis(200));

            assertThatThrownBy(() -> runaway.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WorkerPool.TimedOut.class);
            assertThat(pool.watchdogErrors()).isEqualTo(1);
            assertThat(pool.unhealthyReason()).isEmpty();
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
