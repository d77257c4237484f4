package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandOffQueueTest {

    @Test
    void shouldRefuseTasksBeyondItsCapacity() {
        var queue = new HandOffQueue(2);

        assertThat(queue.offer(() -> {})).isTrue();
        assertThat(queue.offer(() -> {})).isTrue();
        assertThat(queue.offer(() -> {})).isFalse();
        assertThat(queue.remainingCapacity()).isZero();
    }

    @Test
    void shouldMakeRoomAgainForEveryTaskTakenRemovedOrDrained() throws Exception {
        var queue = new HandOffQueue(3);
        Runnable first = () -> {};
        Runnable second = () -> {};
        Runnable third = () -> {};
        queue.offer(first);
        queue.offer(second);
        queue.offer(third);

        assertThat(queue.take()).isSameAs(first);
        assertThat(queue.remove(third)).isTrue();
        assertThat(queue.remove(third)).isFalse();
        List<Runnable> drained = new ArrayList<>();
        assertThat(queue.drainTo(drained)).isEqualTo(1);

        assertThat(drained).containsExactly(second);
        assertThat(queue.remainingCapacity()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(queue.offer(() -> {})).isTrue();
        }
        assertThat(queue.offer(() -> {})).isFalse();
    }

    @Test
    void shouldKeepTheBoundThroughAddClearAndTheIteratorsRemovals() {
        var queue = new HandOffQueue(2);
        Runnable first = () -> {};
        Runnable second = () -> {};

        assertThat(queue.add(first)).isTrue();
        assertThat(queue.add(second)).isTrue();
        assertThatThrownBy(() -> queue.add(() -> {})).isInstanceOf(IllegalStateException.class);
        queue.clear();
        assertThat(queue.remainingCapacity()).isEqualTo(2);

        queue.offer(first);
        queue.offer(second);
        var tasks = queue.iterator();
        assertThat(tasks.next()).isSameAs(first);
        tasks.remove();
        assertThat(queue.removeIf(task -> task == second)).isTrue();
        assertThat(queue).isEmpty();
        assertThat(queue.remainingCapacity()).isEqualTo(2);

        queue.offer(first);
        queue.offer(second);
        assertThat(queue.retainAll(List.of(second))).isTrue();
        assertThat(queue).containsExactly(second);
        assertThat(queue.remainingCapacity()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToWaitForRoom() {
        var queue = new HandOffQueue(1);

        assertThatThrownBy(() -> queue.put(() -> {}))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> queue.offer(() -> {}, 1, TimeUnit.SECONDS))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(queue.remainingCapacity()).isEqualTo(1);
    }

    @Test
    void shouldHandATaskToAWorkerAlreadyWaiting() throws Exception {
        var queue = new HandOffQueue(1);
        var taken = CompletableFuture.supplyAsync(takeFrom(queue));
        Runnable task = () -> {};

        while (queue.waitingWorkers() == 0) {
            Thread.onSpinWait();
        }
        assertThat(queue.offer(task)).isTrue();

        assertThat(taken.get(10, TimeUnit.SECONDS)).isSameAs(task);
        assertThat(queue.remainingCapacity()).isEqualTo(1);
    }

    @Test
    void shouldLookOnceMoreBeforeWaitingWhenNoOtherWorkerWaits() throws Exception {
        var pauses = new AtomicInteger();
        Runnable arriving = () -> {};
        var queueHolder = new HandOffQueue[1];
        var queue =
                new HandOffQueue(
                        1,
                        () -> {
                            pauses.incrementAndGet();
                            // A call comes while the worker has given its CPU away.
                            queueHolder[0].offer(arriving);
                        });
        queueHolder[0] = queue;

        assertThat(queue.take()).isSameAs(arriving);
        assertThat(pauses).hasValue(1);
        assertThat(queue.remainingCapacity()).isEqualTo(1);
    }

    @Test
    void shouldWaitAtOnceWhenAnotherWorkerWaitsAlready() throws Exception {
        var pausedBy = ConcurrentHashMap.<Thread>newKeySet();
        var queue = new HandOffQueue(2, () -> pausedBy.add(Thread.currentThread()));
        var workers = Executors.newFixedThreadPool(2);
        try {
            var first = workers.submit(() -> List.of(Thread.currentThread(), queue.take()));
            while (queue.waitingWorkers() == 0) {
                Thread.onSpinWait();
            }
            var second = workers.submit(() -> List.of(Thread.currentThread(), queue.take()));
            while (queue.waitingWorkers() < 2) {
                Thread.onSpinWait();
            }
            Runnable a = () -> {};
            Runnable b = () -> {};

            queue.offer(a);
            queue.offer(b);

            // The worker that waited first gets the first task: a pause of the second would not
            // have won it a task, only taken CPU from the thread that makes the next one.
            var firstTook = first.get(10, TimeUnit.SECONDS);
            var secondTook = second.get(10, TimeUnit.SECONDS);
            assertThat(firstTook.get(1)).isSameAs(a);
            assertThat(secondTook.get(1)).isSameAs(b);
            assertThat(pausedBy).contains((Thread) firstTook.get(0));
            assertThat(pausedBy).doesNotContain((Thread) secondTook.get(0));
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void shouldAnswerAnEmptyPollWithNull() throws Exception {
        var queue = new HandOffQueue(1);

        assertThat(queue.poll()).isNull();
        assertThat(queue.poll(1, TimeUnit.MILLISECONDS)).isNull();
        assertThat(queue.remainingCapacity()).isEqualTo(1);
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new HandOffQueue(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private java.util.function.Supplier<Runnable> takeFrom(HandOffQueue queue) {
        return () -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
