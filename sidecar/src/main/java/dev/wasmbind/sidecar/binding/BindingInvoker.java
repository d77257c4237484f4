package dev.wasmbind.sidecar.binding;

import dev.wasmbind.sidecar.runtime.GuestFailure;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls a binding: looks it up, checks the operation and its concurrency limit, and runs the guest
 * on the worker pool under the binding's timeout. Answers STDOUT, or fails with a {@link
 * CallException} whose message is the part after Dapr's "error invoking output binding NAME: ".
 */
public final class BindingInvoker {

    public static final String EXECUTE = "execute";

    private final BindingRegistry registry;
    private final WorkerPool pool;
    private final GuestRunner runner;
    private final BindingMetrics metrics;

    public BindingInvoker(
            BindingRegistry registry, WorkerPool pool, GuestRunner runner, BindingMetrics metrics) {
        this.registry = registry;
        this.pool = pool;
        this.runner = runner;
        this.metrics = metrics;
        metrics.watch(pool, runner.memoryBudget());
    }

    /**
     * Starts a call of a binding {@link #lookup} returned; the future completes on a worker thread.
     *
     * @param stdin what the guest reads (the request's data as daprd encodes it)
     * @param requestArgs the request's {@code metadata.args}, split
     */
    public CompletableFuture<byte[]> invoke(
            Binding.Ready binding, byte[] stdin, List<String> requestArgs) {
        var input = new GuestInput(stdin, requestArgs);
        return invoke(binding, () -> input);
    }

    /**
     * What a guest reads: STDIN, {@code stdin[stdinOffset, stdinOffset+stdinLength)} (a request
     * body's own range when nothing needs re-encoding), and the request's arguments.
     */
    public record GuestInput(byte[] stdin, int stdinOffset, int stdinLength, List<String> args) {

        public GuestInput {
            Objects.checkFromIndexSize(stdinOffset, stdinLength, stdin.length);
        }

        /** All of {@code stdin}. */
        public GuestInput(byte[] stdin, List<String> args) {
            this(stdin, 0, stdin.length, args);
        }
    }

    /** Makes a call's input from its request; may fail with a {@link CallException}. */
    @FunctionalInterface
    public interface Preparation {
        GuestInput prepare() throws CallException;
    }

    /**
     * Like {@link #invoke(Binding.Ready, byte[], List)}, with the input prepared on the worker
     * thread that then runs the guest, once the binding's permit is taken: decoding a large body
     * costs time and memory, so it is bounded by {@code limits.maxConcurrency} and the worker pool
     * like the call itself (and counts against the call's timeout), and it costs no hand-off
     * between threads of its own. {@code prepare} may fail with a {@link CallException} (a
     * malformed body), which the call answers as it is.
     */
    public CompletableFuture<byte[]> invoke(Binding.Ready binding, Preparation prepare) {
        if (!binding.permits().tryAcquire()) {
            return CompletableFuture.failedFuture(
                    new CallException(
                            CallOutcome.BUSY,
                            "binding "
                                    + binding.name()
                                    + " is running its maximum of "
                                    + binding.maxConcurrency()
                                    + " concurrent calls (limits.maxConcurrency); retry later"));
        }
        AtomicInteger inflight = metrics.inflight(binding.name());
        inflight.incrementAndGet();
        return pool.submit(
                        () -> {
                            GuestInput in = prepare.prepare();
                            return runner.run(
                                    binding.compiled(),
                                    binding.settings(),
                                    in.stdin(),
                                    in.stdinOffset(),
                                    in.stdinLength(),
                                    in.args());
                        },
                        binding.timeout())
                .handle(
                        (stdout, error) -> {
                            binding.permits().release();
                            inflight.decrementAndGet();
                            if (error == null) {
                                return stdout;
                            }
                            throw new CompletionException(translate(binding, error));
                        });
    }

    /** Why the sidecar should be restarted (guests that could not be stopped), or empty. */
    public Optional<String> unhealthyReason() {
        return pool.unhealthyReason();
    }

    /** The binding called {@code name}, ready to run, or the reason it is not. */
    public Binding.Ready lookup(String name, String operation) throws CallException {
        Binding binding =
                registry.get(name)
                        .orElseThrow(
                                () ->
                                        new CallException(
                                                CallOutcome.NOT_FOUND,
                                                "couldn't find output binding " + name));
        if (operation.isEmpty()) {
            throw new CallException(
                    CallOutcome.UNSUPPORTED_OPERATION, "operation field is missing from request");
        }
        if (binding instanceof Binding.Failed failed) {
            throw new CallException(
                    CallOutcome.NOT_LOADED,
                    "binding " + name + " is not loaded: " + failed.reason());
        }
        if (!EXECUTE.equals(operation)) {
            throw unsupported(name, operation);
        }
        return (Binding.Ready) binding;
    }

    private static CallException unsupported(String name, String operation) {
        return new CallException(
                CallOutcome.UNSUPPORTED_OPERATION,
                "binding "
                        + name
                        + " does not support operation "
                        + operation
                        + ". supported operations:"
                        + EXECUTE);
    }

    private static CallException translate(Binding.Ready binding, Throwable error) {
        Throwable cause =
                error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
        if (cause instanceof CallException call) {
            return call;
        }
        if (cause instanceof WorkerPool.TimedOut) {
            return new CallException(
                    CallOutcome.TIMEOUT,
                    "timed out after "
                            + binding.timeout().toMillis()
                            + "ms (limits.timeout); the guest was stopped");
        }
        if (cause instanceof WorkerPool.Saturated saturated) {
            return new CallException(CallOutcome.BUSY, saturated.getMessage() + "; retry later");
        }
        if (cause instanceof GuestFailure failure) {
            CallOutcome outcome =
                    switch (failure.kind()) {
                        case EXIT -> CallOutcome.EXIT;
                        case TRAP -> CallOutcome.TRAP;
                        case RESPONSE_TOO_LARGE -> CallOutcome.RESPONSE_TOO_LARGE;
                        case MEMORY_LIMIT -> CallOutcome.MEMORY_LIMIT;
                        case OVERLOADED -> CallOutcome.OVERLOADED;
                        case INTERRUPTED -> CallOutcome.TIMEOUT;
                    };
            return new CallException(outcome, failure.getMessage());
        }
        return new CallException(CallOutcome.TRAP, "wasm error: " + cause);
    }
}
