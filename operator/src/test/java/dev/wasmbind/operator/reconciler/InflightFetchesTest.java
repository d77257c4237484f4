package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.module.source.FetchedModule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InflightFetchesTest {

    @Test
    void shouldShareOneFetchBetweenConcurrentCallersOfTheSameKey() throws Exception {
        InflightFetches inflight = new InflightFetches();
        InflightFetches.Key key = new InflightFetches.Key("http://h/m.wasm", "", "");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<FetchedModule>> results = new ArrayList<>();
            results.add(
                    pool.submit(
                            () ->
                                    inflight.fetch(
                                            key,
                                            () -> {
                                                runs.incrementAndGet();
                                                started.countDown();
                                                awaitQuietly(release);
                                                return new FetchedModule(new byte[] {1}, "ab", "x");
                                            })));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                results.add(
                        pool.submit(
                                () ->
                                        inflight.fetch(
                                                key,
                                                () -> {
                                                    throw new AssertionError("a second fetch ran");
                                                })));
            }
            org.awaitility.Awaitility.await().until(() -> inflight.joins() == 3);
            release.countDown();
            for (Future<FetchedModule> result : results) {
                assertThat(result.get(5, TimeUnit.SECONDS).sha256()).isEqualTo("ab");
            }
            assertThat(runs).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldStopWaitingForAWedgedFetchOfAnotherCaller() throws Exception {
        InflightFetches inflight = new InflightFetches(java.time.Duration.ofMillis(50));
        InflightFetches.Key key = new InflightFetches.Key("http://h/wedged.wasm", "", "");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(
                    () ->
                            inflight.fetch(
                                    key,
                                    () -> {
                                        started.countDown();
                                        awaitQuietly(release);
                                        return new FetchedModule(new byte[] {1}, "ab", "x");
                                    }));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () ->
                                    inflight.fetch(
                                            key,
                                            () -> {
                                                throw new AssertionError("a second fetch ran");
                                            }))
                    .isInstanceOfSatisfying(
                            dev.wasmbind.module.source.FetchException.class,
                            e ->
                                    assertThat(e.reason())
                                            .isEqualTo(
                                                    dev.wasmbind.module.source.FetchException.Reason
                                                            .TIMEOUT))
                    .hasMessageContaining("another binding's fetch");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
