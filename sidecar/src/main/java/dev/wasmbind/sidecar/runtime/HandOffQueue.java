package dev.wasmbind.sidecar.runtime;

import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers' task queue: bounded, without a lock, and a worker that would be the only one waiting
 * yields its CPU once before it waits. With {@link java.util.concurrent.ArrayBlockingQueue} a
 * worker that finds no task parks at once, and every wake-up goes through the queue's one lock (the
 * event loop's unlock wakes a worker, that worker's unlock the next): on a steady stream of tiny
 * calls a worker fell asleep for almost every other call, each time a futex wait and a wake, which
 * in this VM cost more CPU than the tiny guest. Here a {@link LinkedTransferQueue} gives a task to
 * a waiting worker with a compare-and-set and wakes it only when it has parked, and {@link #take}
 * yields once first: the event loop or the client, runnable on the same CPU, go on, and the next
 * call mostly arrives meanwhile (worker sleeps per tiny call 0.42-0.46 -> 0.08-0.12 on JDK 17 and
 * 25; docs/bench/http-path.md "Round 7"). The yield is explicit because the queue's own wait
 * differs by JDK: JDK 17's yields once, JDK 25's spins and then parks (with it alone, the workers
 * slept 0.84 times per call).
 *
 * <p>A worker yields only when no other worker waits already, the rule both JDKs' queues apply to
 * their own spin or yield: the queue hands a task to the worker that has waited longest, so while
 * one waits a second's yield wins it nothing and only hands the CPU away. At one connection the
 * other worker always waits, and a yield there cost a context switch per call and kept the calls in
 * the slower of this VM's two modes (~13k against up to 17k calls/s; docs/bench/http-path.md "Round
 * 8").
 *
 * <p>The bound is counted here, around a {@link LinkedTransferQueue} the class holds rather than
 * extends: every way in or out (offer and add, take and poll, remove, drainTo, clear, the
 * iterator's remove and the bulk removals built on it) goes through the counted methods, so none
 * can bypass it. {@link #put} and the timed {@link #offer(Runnable, long, TimeUnit)} would wait for
 * room, which a saturated pool must not do (it answers 429 at once): they are refused.
 */
final class HandOffQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {

    private final int capacity;
    private final Runnable beforeWaiting;
    private final LinkedTransferQueue<Runnable> tasks = new LinkedTransferQueue<>();
    private final AtomicInteger queued = new AtomicInteger();

    HandOffQueue(int capacity) {
        this(capacity, Thread::yield);
    }

    /**
     * @param beforeWaiting what a worker that finds no task does once before it waits, if no other
     *     worker waits already (tests count it)
     */
    HandOffQueue(int capacity, Runnable beforeWaiting) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.beforeWaiting = beforeWaiting;
    }

    /** Queues {@code task} unless {@code capacity} tasks wait already (the pool is saturated). */
    @Override
    public boolean offer(Runnable task) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            return false;
        }
        return tasks.offer(task);
    }

    /** Refused: a saturated pool refuses work at once, it never waits for room. */
    @Override
    public boolean offer(Runnable task, long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("a saturated pool refuses at once: use offer");
    }

    /** Refused: a saturated pool refuses work at once, it never waits for room. */
    @Override
    public void put(Runnable task) {
        throw new UnsupportedOperationException("a saturated pool refuses at once: use offer");
    }

    /**
     * The next task; with none queued, the worker first yields its CPU once (the event loop or the
     * client may be waiting for it, and the next call may come meanwhile) and only then waits; if
     * another worker waits already, it waits at once (the next task is that worker's).
     */
    @Override
    public Runnable take() throws InterruptedException {
        Runnable task = poll();
        if (task == null && !tasks.hasWaitingConsumer()) {
            beforeWaiting.run();
            task = poll();
        }
        return task != null ? task : taken(tasks.take());
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        return taken(tasks.poll(timeout, unit));
    }

    @Override
    public Runnable poll() {
        return taken(tasks.poll());
    }

    @Override
    public Runnable peek() {
        return tasks.peek();
    }

    @Override
    public boolean remove(Object task) {
        boolean removed = tasks.remove(task);
        if (removed) {
            queued.decrementAndGet();
        }
        return removed;
    }

    @Override
    public boolean contains(Object task) {
        return tasks.contains(task);
    }

    @Override
    public int drainTo(Collection<? super Runnable> sink) {
        return drainTo(sink, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Runnable> sink, int maxElements) {
        int n = 0;
        Runnable task;
        while (n < maxElements && (task = poll()) != null) {
            sink.add(task);
            n++;
        }
        return n;
    }

    @Override
    public int remainingCapacity() {
        return Math.max(0, capacity - queued.get());
    }

    @Override
    public int size() {
        return tasks.size();
    }

    @Override
    public boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** How many workers wait in {@link #take} or a timed {@link #poll} (tests wait for them). */
    int waitingWorkers() {
        return tasks.getWaitingConsumerCount();
    }

    /** The queued tasks in order; its {@code remove} goes through {@link #remove(Object)}. */
    @Override
    public Iterator<Runnable> iterator() {
        Iterator<Runnable> inner = tasks.iterator();
        return new Iterator<>() {
            private Runnable last;

            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public Runnable next() {
                last = inner.next();
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("next() first");
                }
                HandOffQueue.this.remove(last);
                last = null;
            }
        };
    }

    private Runnable taken(Runnable task) {
        if (task != null) {
            queued.decrementAndGet();
        }
        return task;
    }
}
