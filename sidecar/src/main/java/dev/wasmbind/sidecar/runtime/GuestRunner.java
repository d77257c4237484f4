package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.runtime.GuestFailure.Kind;
import java.time.Clock;
import java.util.List;

/**
 * Runs one call of a compiled module on the calling thread: a new instance, or one of the binding's
 * reset to what a new one is ({@link InstancePool}), STDIN from the request, STDOUT as the answer.
 * Callers run it on a worker thread and interrupt that thread to stop a runaway guest. The host
 * functions and a few idle memories are the binding's, made once ({@link CallTemplate}); the state
 * they work on is the call's ({@link GuestCall}).
 */
public final class GuestRunner {

    /** How much of STDERR an error message quotes (its end, where the reason usually is). */
    static final int STDERR_TAIL_BYTES = 1024;

    /**
     * Makes the interpreter stoppable: it checks the interrupt flag at calls and {@code br} but not
     * at {@code br_if} or {@code br_table}, so a loop closed by those ran on after its timeout. The
     * compiler checks them all, but leaves functions too large for a JVM method to the interpreter,
     * and a binding runs interpreted while it compiles: this check covers both.
     */
    static final ExecutionListener INTERRUPT_CHECK =
            (instruction, stack) -> {
                OpCode opcode = instruction.opcode();
                if ((opcode == OpCode.BR_IF || opcode == OpCode.BR_TABLE)
                        && Thread.currentThread().isInterrupted()) {
                    throw new ChicoryInterruptedException("Thread interrupted");
                }
            };

    private static final long PAGE_BYTES = 65536;

    private final Clock clock;
    private final MemoryBudget budget;

    public GuestRunner() {
        this(Clock.systemUTC(), MemoryBudget.forThisJvm());
    }

    public GuestRunner(MemoryBudget budget) {
        this(Clock.systemUTC(), budget);
    }

    /** With a clock for the strict sandbox's start time (tests). */
    public GuestRunner(Clock clock) {
        this(clock, MemoryBudget.forThisJvm());
    }

    public GuestRunner(Clock clock, MemoryBudget budget) {
        this.clock = clock;
        this.budget = budget;
    }

    /** The heap budget the guests of this runner share. */
    public MemoryBudget memoryBudget() {
        return budget;
    }

    /**
     * Runs {@code _start} and returns STDOUT.
     *
     * @throws GuestFailure when the guest exits non-zero, traps, writes too much, does not fit the
     *     memory cap or is interrupted
     */
    public byte[] run(
            CompiledModule compiled, RunSettings settings, byte[] stdin, List<String> requestArgs)
            throws GuestFailure {
        return run(compiled, settings, stdin, 0, stdin.length, requestArgs);
    }

    /**
     * Like {@link #run(CompiledModule, RunSettings, byte[], List)} with STDIN {@code
     * stdin[stdinOffset, stdinOffset+stdinLength)} (a request body's range, not copied).
     */
    public byte[] run(
            CompiledModule compiled,
            RunSettings settings,
            byte[] stdin,
            int stdinOffset,
            int stdinLength,
            List<String> requestArgs)
            throws GuestFailure {
        int initialPages = compiled.initialPages();
        if (initialPages > settings.maxMemoryPages()) {
            throw new GuestFailure(
                    Kind.MEMORY_LIMIT,
                    "module needs "
                            + initialPages
                            + " wasm pages of memory to start, more than limits.maxMemory allows ("
                            + settings.maxMemoryPages()
                            + " pages of 64Ki)");
        }
        CallTemplate template = settings.template(compiled);
        try (var reservation = reserve(initialPages)) {
            return runWithin(
                    compiled,
                    settings,
                    template,
                    stdin,
                    stdinOffset,
                    stdinLength,
                    requestArgs,
                    reservation);
        }
    }

    /**
     * The guest's share of the memory budget for the pages its memory starts with (growth is
     * reserved as it happens), or the failure saying why there is none now.
     */
    private MemoryBudget.Reservation reserve(int initialPages) throws GuestFailure {
        long bytes = initialPages * PAGE_BYTES;
        if (bytes > budget.limitBytes()) {
            throw new GuestFailure(
                    Kind.MEMORY_LIMIT,
                    "the module's initial memory ("
                            + mib(bytes)
                            + " MiB) is more than the sidecar's guest memory budget ("
                            + mib(budget.limitBytes())
                            + " MiB, a share of its heap); give the JVM more heap (-Xmx)");
        }
        MemoryBudget.Reservation reservation = budget.tryReserve(bytes);
        if (reservation == null) {
            throw overloaded("this call's initial memory needs " + mib(bytes) + " MiB");
        }
        return reservation;
    }

    private GuestFailure overloaded(String need) {
        return new GuestFailure(
                Kind.OVERLOADED,
                "the sidecar's guest memory budget ("
                        + mib(budget.limitBytes())
                        + " MiB) is taken by running calls and "
                        + need
                        + "; retry later");
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    private byte[] runWithin(
            CompiledModule compiled,
            RunSettings settings,
            CallTemplate template,
            byte[] stdin,
            int stdinOffset,
            int stdinLength,
            List<String> requestArgs,
            MemoryBudget.Reservation reservation)
            throws GuestFailure {
        var stdout =
                new BoundedOutputStream(settings.maxResponseBytes(), BoundedOutputStream.Mode.FAIL);
        var stderr = new BoundedOutputStream(STDERR_TAIL_BYTES, BoundedOutputStream.Mode.KEEP_TAIL);
        var call =
                new GuestCall(
                        template,
                        stdin,
                        stdinOffset,
                        stdinLength,
                        stdout,
                        stderr,
                        settings.argv(requestArgs),
                        settings.strictSandbox() ? clock.millis() : 0);
        InstancePool instances = template.instances();
        InstancePool.Entry reused = null;
        boolean ended = false;
        try (call) {
            call.bind();
            Instance instance;
            if (instances == null) {
                instance =
                        builder(compiled, template)
                                .withMemoryFactory(limits -> call.memory(limits, reservation))
                                .build();
            } else {
                reused = instances.take(reservation);
                if (reused == null) {
                    var charge = new BudgetedMemory.Charge(reservation);
                    instance =
                            builder(compiled, template)
                                    .withMemoryFactory(
                                            limits ->
                                                    new BudgetedMemory(
                                                            new ByteArrayMemory(limits), charge))
                                    .build();
                    reused = new InstancePool.Entry(instance, charge);
                } else {
                    instance = reused.instance();
                }
            }
            instance.export("_start").apply();
            ended = true;
        } catch (WasiExitException e) {
            ended = true;
            if (e.exitCode() != 0 && reservation.refusedGrowth()) {
                throw overloaded("the guest could not grow its memory");
            }
            if (e.exitCode() != 0) {
                throw new GuestFailure(
                        Kind.EXIT,
                        "module closed with exit_code("
                                + e.exitCode()
                                + ")"
                                + stderrPart(stderr)
                                + outboundPart(call));
            }
        } catch (BoundedOutputStream.LimitExceeded e) {
            throw new GuestFailure(
                    Kind.RESPONSE_TOO_LARGE,
                    "STDOUT exceeded limits.maxResponseBytes ("
                            + settings.maxResponseBytes()
                            + " bytes); the guest was stopped");
        } catch (OutOfMemoryError e) {
            // Guest memory lives on the JVM heap: the heap must hold maxConcurrency x maxMemory.
            throw new GuestFailure(
                    Kind.MEMORY_LIMIT,
                    "the sidecar's heap cannot hold the guest's memory; lower limits.maxMemory or"
                            + " limits.maxConcurrency, or give the JVM more heap (-Xmx)");
        } catch (ChicoryInterruptedException e) {
            throw new GuestFailure(Kind.INTERRUPTED, "the guest was interrupted");
        } catch (ChicoryException | StackOverflowError | ArithmeticException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new GuestFailure(Kind.INTERRUPTED, "the guest was interrupted");
            }
            if (reservation.refusedGrowth()) {
                throw overloaded("the guest could not grow its memory");
            }
            throw new GuestFailure(
                    Kind.TRAP,
                    "wasm error: " + describe(e) + stderrPart(stderr) + outboundPart(call));
        } finally {
            // Only a guest that ended by returning or exiting leaves an instance a reset restores.
            if (ended && reused != null) {
                instances.giveBack(reused);
            }
        }
        return stdout.bytes();
    }

    /** A new instance of the module with the binding's host functions and limits. */
    private static Instance.Builder builder(CompiledModule compiled, CallTemplate template) {
        return Instance.builder(compiled.module())
                .withImportValues(template.imports())
                .withMachineFactory(compiled.machineFactory())
                .withMemoryLimits(template.memoryLimits())
                .withTableFactory(GuestRunner::boundedTable)
                .withUnsafeExecutionListener(INTERRUPT_CHECK)
                .withStart(false);
    }

    /**
     * A table of its own for each instance (Chicory's {@code table.grow} updates the limits it is
     * given, which would otherwise be the parsed module's, shared by every call), capped at the
     * validator's maximum so {@code table.grow} cannot fill the heap.
     */
    private static TableInstance boundedTable(Table table, int initialValue) {
        long max = Math.min(table.limits().max(), ModuleValidator.MAX_TABLE_ELEMENTS);
        long min = table.limits().min();
        return new TableInstance(
                new Table(
                        table.elementType(),
                        new TableLimits(min, Math.max(min, max)),
                        table.initialize()),
                initialValue);
    }

    private static String stderrPart(BoundedOutputStream stderr) {
        String text = stderr.text();
        return text.isEmpty() ? "" : "; stderr: " + text;
    }

    /** Why the guest's HTTP request failed, when one did: the likely reason it gave up. */
    private static String outboundPart(GuestCall call) {
        String problem = call.outboundProblem();
        return problem == null ? "" : "; outbound HTTP: " + problem;
    }

    private static String describe(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "call stack exhausted";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
