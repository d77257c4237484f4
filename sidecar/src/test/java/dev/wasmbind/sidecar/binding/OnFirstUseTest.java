package dev.wasmbind.sidecar.binding;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OnFirstUseTest {

    @Test
    void shouldMakeTheRegistryOnlyWhenFirstAskedFor() {
        var made = new AtomicInteger();
        var registry =
                OnFirstUse.of(
                        () -> {
                            made.incrementAndGet();
                            return new SimpleMeterRegistry();
                        });
        assertThat(registry.isMade()).isFalse();

        MeterRegistry first = registry.get();

        assertThat(registry.get()).isSameAs(first);
        assertThat(made).hasValue(1);
    }

    @Test
    void shouldRunWhenMadeActionsBeforeAnyoneSeesTheRegistryAndLaterOnesAtOnce() {
        var registry = OnFirstUse.of(SimpleMeterRegistry::new);
        List<String> seen = new ArrayList<>();
        registry.whenMade(r -> seen.add("before: " + r.getMeters().size()));
        registry.whenMade(r -> r.counter("registered.when.made"));
        assertThat(seen).isEmpty();

        assertThat(registry.get().find("registered.when.made").counter()).isNotNull();
        registry.whenMade(r -> seen.add("after: " + r.getMeters().size()));

        assertThat(seen).containsExactly("before: 0", "after: 1");
    }

    @Test
    void shouldMakeOneRegistryWhenManyThreadsAskAtOnce() throws Exception {
        var made = new AtomicInteger();
        var release = new CountDownLatch(1);
        var registry =
                OnFirstUse.of(
                        () -> {
                            made.incrementAndGet();
                            try {
                                release.await(5, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return new SimpleMeterRegistry();
                        });
        int threads = 4;
        var start = new CyclicBarrier(threads);
        var pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<MeterRegistry>> got = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                got.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    return registry.get();
                                }));
            }
            release.countDown();
            MeterRegistry first = got.get(0).get(10, TimeUnit.SECONDS);
            for (var each : got) {
                assertThat(each.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(made).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldServeARegistryMadeAlready() {
        var simple = new SimpleMeterRegistry();
        var registry = OnFirstUse.made(simple);
        var seen = new ArrayList<MeterRegistry>();

        registry.whenMade(seen::add);

        assertThat(registry.get()).isSameAs(simple);
        assertThat(seen).containsExactly(simple);
    }
}
