package dev.wasmbind.sidecar.runtime;

import java.util.Collection;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The workers' task queue: bounded, and without a lock. With {@link
 * java.util.concurrent.ArrayBlockingQueue} a worker that finds no task parks at once, and every
 * wake-up goes through the queue's one lock (the event loop's unlock wakes a worker, that worker's
 * unlock the next): on a steady stream of tiny calls a worker fell asleep for almost every other
 * call, each time a futex wait and a wake in this VM. A {@link LinkedTransferQueue} gives a task to
 * a waiting worker with a compare-and-set, and wakes it only when it has parked; a worker that
 * finds no task waits a moment first (a yield on JDK 17, 128 spin-waits on JDK 25), so that the
 * next short call mostly finds it awake (worker sleeps per tiny call 0.44 -> 0.11,
 * docs/bench/http-path.md "Round 7"). This adds the bound, counted here (the queue's own size()
 * walks it).
 */
final class HandOffQueue extends LinkedTransferQueue<Runnable> {

    private final int capacity;
    private final AtomicInteger queued = new AtomicInteger();

    HandOffQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /** Queues {@code task} unless {@code capacity} tasks wait already (the pool is saturated). */
    @Override
    public boolean offer(Runnable task) {
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            return false;
        }
        return super.offer(task);
    }

    @Override
    public Runnable take() throws InterruptedException {
        return taken(super.take());
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        return taken(super.poll(timeout, unit));
    }

    @Override
    public Runnable poll() {
        return taken(super.poll());
    }

    @Override
    public boolean remove(Object task) {
        boolean removed = super.remove(task);
        if (removed) {
            queued.decrementAndGet();
        }
        return removed;
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

    private Runnable taken(Runnable task) {
        if (task != null) {
            queued.decrementAndGet();
        }
        return task;
    }
}
