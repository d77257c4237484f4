package dev.wasmbind.sidecar.binding;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.MemoryBudget;
import dev.wasmbind.sidecar.runtime.RunSettings;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BindingInvokerTest {

    private final BindingRegistry registry = new BindingRegistry();
    private final WorkerPool pool = new WorkerPool(4, 16);
    private final BindingMetrics metrics = new BindingMetrics(new SimpleMeterRegistry());
    private final BindingInvoker invoker =
            new BindingInvoker(registry, pool, new GuestRunner(), metrics);

    @AfterEach
    void closePool() {
        pool.close();
    }

    private static Binding.Ready ready(
            String name, String module, Duration timeout, int maxConcurrency) {
        return new Binding.Ready(
                name,
                "file://" + module + ".wasm",
                compiled(module),
                RunSettings.builder(module).build(),
                timeout,
                1024,
                maxConcurrency,
                false,
                new Semaphore(maxConcurrency));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CallException callFailure(Throwable thrown) {
        return (CallException) (thrown instanceof CompletionException ? thrown.getCause() : thrown);
    }

    @Test
    void shouldSwapInANewModuleWithoutDroppingTheCallInFlight() throws Exception {
        registry.put(ready("svc", "sleep", Duration.ofSeconds(30), 4));
        var inFlight = invoker.invoke(invoker.lookup("svc", "execute"), bytes(""), List.of("300"));

        registry.put(ready("svc", "cat", Duration.ofSeconds(30), 4));
        byte[] fromNew =
                invoker.invoke(invoker.lookup("svc", "execute"), bytes("new"), List.of()).get();

        assertThat(new String(fromNew, StandardCharsets.UTF_8)).isEqualTo("new");
        assertThat(new String(inFlight.get(), StandardCharsets.UTF_8)).isEqualTo("slept\n");
    }

    @Test
    void shouldRefuseACallBeyondMaxConcurrencyAndAcceptOneAfter() throws Exception {
        Binding.Ready one = ready("one", "loop", Duration.ofMillis(300), 1);
        registry.put(one);
        var first = invoker.invoke(one, bytes(""), List.of());

        assertThatThrownBy(() -> invoker.invoke(one, bytes(""), List.of()).join())
                .satisfies(e -> assertThat(callFailure(e).outcome()).isEqualTo(CallOutcome.BUSY))
                .hasMessageContaining("maximum of 1 concurrent calls");
        assertThatThrownBy(first::join)
                .satisfies(e -> assertThat(callFailure(e).outcome()).isEqualTo(CallOutcome.TIMEOUT))
                .hasMessageContaining("timed out after 300ms");
        assertThat(one.permits().availablePermits()).isEqualTo(1);
        assertThat(metrics.inflight("one").get()).isZero();
    }

    @Test
    void shouldNameAnUnknownBindingLikeDapr() {
        assertThatThrownBy(() -> invoker.lookup("ghost", "execute"))
                .isInstanceOfSatisfying(
                        CallException.class,
                        e -> assertThat(e.outcome()).isEqualTo(CallOutcome.NOT_FOUND))
                .hasMessage("couldn't find output binding ghost");
    }

    @Test
    void shouldRefuseAnOperationOtherThanExecute() {
        registry.put(ready("svc", "cat", Duration.ofSeconds(5), 1));

        assertThatThrownBy(() -> invoker.lookup("svc", "create"))
                .hasMessage(
                        "binding svc does not support operation create. supported"
                                + " operations:execute");
        assertThatThrownBy(() -> invoker.lookup("svc", ""))
                .hasMessage("operation field is missing from request");
    }

    @Test
    void shouldAnswerAFailedBindingsCallsWithItsReason() {
        registry.put(new Binding.Failed("broken", "file://x.wasm", "file x.wasm does not exist"));

        assertThatThrownBy(() -> invoker.lookup("broken", "execute"))
                .isInstanceOfSatisfying(
                        CallException.class,
                        e -> assertThat(e.outcome()).isEqualTo(CallOutcome.NOT_LOADED))
                .hasMessage("binding broken is not loaded: file x.wasm does not exist");
    }

    private static Binding.Ready withMemory(String name, String module, int maxMemoryPages) {
        return new Binding.Ready(
                name,
                "file://" + module + ".wasm",
                compiled(module),
                RunSettings.builder(module).withMaxMemoryPages(maxMemoryPages).build(),
                Duration.ofSeconds(30),
                1024,
                8,
                false,
                new Semaphore(8));
    }

    /** Bytes a module's memory starts with: what a call reserves before it runs. */
    private static long initialBytes(String module) {
        return compiled(module).initialPages() * 65536L;
    }

    @Test
    void shouldRefuseACallWhoseMemoryDoesNotFitNextToTheRunningOnesAndTakeItAfter()
            throws Exception {
        long each = initialBytes("sleep");
        var budget = new MemoryBudget(each * 5 / 2); // two fit, not three
        var budgeted = new BindingInvoker(registry, pool, new GuestRunner(budget), metrics());
        Binding.Ready big = withMemory("big", "sleep", 1024);
        registry.put(big);
        var first = budgeted.invoke(big, bytes(""), List.of("1500"));
        var second = budgeted.invoke(big, bytes(""), List.of("1500"));
        await().atMost(Duration.ofSeconds(10)).until(() -> budget.reservedBytes() == 2 * each);

        assertThatThrownBy(() -> budgeted.invoke(big, bytes(""), List.of("0")).join())
                .satisfies(
                        e -> assertThat(callFailure(e).outcome()).isEqualTo(CallOutcome.OVERLOADED))
                .hasMessageContaining("is taken by running calls")
                .hasMessageContaining("retry later");

        assertThat(first.get()).isEqualTo(bytes("slept\n"));
        assertThat(second.get()).isEqualTo(bytes("slept\n"));
        assertThat(budget.reservedBytes()).isZero();
        assertThat(budgeted.invoke(big, bytes(""), List.of("0")).get()).isEqualTo(bytes("slept\n"));
    }

    @Test
    void shouldRunEightCallsAtOnceWhoseCapsTogetherExceedTheBudget() throws Exception {
        // The regression this guards: reserving each call's cap (64 MiB by default) let only a
        // few calls of a 256 MiB heap run at once and answered the rest 503.
        var budget = new MemoryBudget(32L * 1024 * 1024);
        try (var eight = new WorkerPool(8, 8)) {
            var budgeted = new BindingInvoker(registry, eight, new GuestRunner(budget), metrics());
            Binding.Ready small = withMemory("small", "sleep", 1024); // 64 MiB cap each
            var calls = new ArrayList<CompletableFuture<byte[]>>();
            for (int i = 0; i < 8; i++) {
                calls.add(budgeted.invoke(small, bytes(""), List.of("300")));
            }

            for (var call : calls) {
                assertThat(call.get()).isEqualTo(bytes("slept\n"));
            }
            assertThat(budget.reservedBytes()).isZero();
        }
    }

    @Test
    void shouldAnswerOverloadedWhenTheBudgetCannotHoldAGuestsGrowth() throws Exception {
        var budget = new MemoryBudget(4L * 1024 * 1024);
        var budgeted = new BindingInvoker(registry, pool, new GuestRunner(budget), metrics());
        Binding.Ready grower = withMemory("grower", "grow", 1024);

        assertThat(budgeted.invoke(grower, bytes(""), List.of("1")).get()).isEqualTo(bytes("ok\n"));
        assertThatThrownBy(() -> budgeted.invoke(grower, bytes(""), List.of("8")).join())
                .satisfies(
                        e -> assertThat(callFailure(e).outcome()).isEqualTo(CallOutcome.OVERLOADED))
                .hasMessageContaining("guest memory budget (4 MiB) is taken by running calls")
                .hasMessageContaining("could not grow its memory");
        assertThat(budget.reservedBytes()).isZero();
    }

    @Test
    void shouldRefuseAModuleWhoseInitialMemoryExceedsTheWholeBudget() {
        var budgeted =
                new BindingInvoker(
                        registry,
                        pool,
                        new GuestRunner(new MemoryBudget(initialBytes("cat") - 1)),
                        metrics());
        Binding.Ready big = withMemory("big", "cat", 32);

        assertThatThrownBy(() -> budgeted.invoke(big, bytes("x"), List.of()).join())
                .satisfies(
                        e ->
                                assertThat(callFailure(e).outcome())
                                        .isEqualTo(CallOutcome.MEMORY_LIMIT))
                .hasMessageContaining("is more than the sidecar's guest memory budget");
    }

    private static BindingMetrics metrics() {
        return new BindingMetrics(new SimpleMeterRegistry());
    }
}
