package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.log.SystemLogger;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.wasmbind.sidecar.wasihttp.WasiHttpSession;
import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * One call's host state: its WASI descriptors, arguments and streams, its STDIN, its strict-sandbox
 * clocks and random, its outbound HTTP session. The binding's host functions ({@link CallTemplate})
 * are built once and find this state through {@link #current()}: a guest runs on one thread from
 * start to end, and its host functions are called on that thread.
 *
 * <p>Everything but STDIN is made on first use, so a call pays only for what its guest touches.
 */
final class GuestCall implements AutoCloseable {

    /**
     * One logger for all calls: without one, every WasiPreview1 build probes for Android with
     * Class.forName, a failed class lookup that costs more than a tiny guest's whole run.
     */
    static final Logger WASI_LOGGER = new SystemLogger();

    private static final ThreadLocal<GuestCall> CURRENT = new ThreadLocal<>();

    private final CallTemplate template;
    private final byte[] stdinBytes;
    private final int stdinOffset;
    private final int stdinLength;
    private final StdinReader stdin;
    private final BoundedOutputStream stdout;
    private final BoundedOutputStream stderr;
    private final List<String> argv;
    private final long startMillis;

    private WasiPreview1 wasi;
    private HostFunction[] wasiFunctions;
    private List<HostFunction> sandboxFunctions;
    private WasiHttpSession outbound;
    private List<ImportFunction> outboundFunctions;
    private BudgetedMemory memory;

    /**
     * @param stdin STDIN is {@code stdin[stdinOffset, stdinOffset+stdinLength)}
     * @param startMillis the wall clock at the call's start (the strict sandbox starts from it)
     */
    GuestCall(
            CallTemplate template,
            byte[] stdin,
            int stdinOffset,
            int stdinLength,
            BoundedOutputStream stdout,
            BoundedOutputStream stderr,
            List<String> argv,
            long startMillis) {
        this.template = template;
        this.stdinBytes = stdin;
        this.stdinOffset = stdinOffset;
        this.stdinLength = stdinLength;
        this.stdin = new StdinReader(stdin, stdinOffset, stdinLength);
        this.stdout = stdout;
        this.stderr = stderr;
        this.argv = argv;
        this.startMillis = startMillis;
    }

    /** The call running on this thread; set between {@link #bind()} and {@link #close()}. */
    static GuestCall current() {
        GuestCall call = CURRENT.get();
        if (call == null) {
            // Only a guest of a binding's call can reach a host function.
            throw new IllegalStateException("a host function was called outside a guest call");
        }
        return call;
    }

    /** Makes this the call of the current thread (the thread that runs the guest). */
    GuestCall bind() {
        CURRENT.set(this);
        return this;
    }

    StdinReader stdin() {
        return stdin;
    }

    /** The call's WASI: its own descriptors (a guest may close them), arguments and streams. */
    WasiPreview1 wasi() {
        if (wasi == null) {
            var options =
                    WasiOptions.builder()
                            // STDIN is served by StdinReader; this stream is what poll_oneoff sees.
                            .withStdin(
                                    new ByteArrayInputStream(stdinBytes, stdinOffset, stdinLength))
                            .withStdout(stdout)
                            .withStderr(stderr)
                            .withArguments(argv)
                            .withThrowOnExit0(true);
            template.settings().env().forEach(options::withEnvironment);
            wasi =
                    WasiPreview1.builder()
                            .withLogger(WASI_LOGGER)
                            .withOptions(options.build())
                            .build();
        }
        return wasi;
    }

    /**
     * {@code fd_write}. Until the guest calls a WASI function that needs the call's {@link
     * WasiPreview1} (only that one can close or renumber a descriptor), descriptors 1 and 2 are
     * STDOUT and STDERR as a new WASI has them: writes to those go straight to the streams, as
     * Chicory's would, without building the WASI (its descriptors, argument and environment lists:
     * about 2% of a tiny call's CPU, for a guest that only reads STDIN and writes STDOUT). Any
     * other descriptor, or any write once the WASI exists, is Chicory's.
     */
    int fdWrite(Memory memory, int fd, int iovs, int iovsLength, int writtenPointer) {
        if (wasi != null || (fd != 1 && fd != 2)) {
            return wasi().fdWrite(memory, fd, iovs, iovsLength, writtenPointer);
        }
        BoundedOutputStream out = fd == 1 ? stdout : stderr;
        int written = 0;
        for (int i = 0; i < iovsLength; i++) {
            int iov = iovs + i * 8;
            byte[] data = memory.readBytes(memory.readInt(iov), memory.readInt(iov + 4));
            out.write(data, 0, data.length);
            written += data.length;
        }
        memory.writeI32(writtenPointer, written);
        return 0; // ESUCCESS
    }

    /**
     * {@code proc_exit}: ends the guest with {@link WasiExitException}, as Chicory's does for every
     * code under {@code withThrowOnExit0(true)}, without building the WASI for it.
     */
    void procExit(int code) {
        throw new WasiExitException(code);
    }

    /** Chicory's WASI functions bound to this call's WASI, for the rarely used ones. */
    HostFunction[] wasiFunctions() {
        if (wasiFunctions == null) {
            wasiFunctions = wasi().toHostFunctions();
        }
        return wasiFunctions;
    }

    /** The strict sandbox's functions for this call: its clocks and random start afresh. */
    List<HostFunction> sandboxFunctions() {
        if (sandboxFunctions == null) {
            sandboxFunctions = new StrictSandbox(startMillis).hostFunctions();
        }
        return sandboxFunctions;
    }

    /** The wasi-http functions of this call's session (its handle tables are the call's). */
    List<ImportFunction> outboundFunctions() {
        if (outboundFunctions == null) {
            outbound = WasiHttpSession.open(template.settings().outbound());
            outboundFunctions = outbound.hostFunctions(template.compiled().importedFunctions());
        }
        return outboundFunctions;
    }

    /** Why the guest's outbound request failed, when it made one that did; else null. */
    String outboundProblem() {
        return outbound == null ? null : outbound.problem();
    }

    /**
     * A memory for the guest, counted against the call's reservation: its main memory comes from
     * the binding's pool (Chicory zeroes it and writes the data segments when it instantiates).
     */
    BudgetedMemory memory(MemoryLimits limits, MemoryBudget.Reservation reservation) {
        MemoryPool pool = template.memories();
        if (memory != null || !pool.holds(limits)) {
            return new BudgetedMemory(limits, reservation);
        }
        memory = new BudgetedMemory(pool.take(), reservation);
        return memory;
    }

    /** Ends the call on this thread: closes its WASI, gives its memory back to the pool. */
    @Override
    public void close() {
        CURRENT.remove();
        try {
            if (wasi != null) {
                wasi.close();
            }
        } finally {
            if (memory != null) {
                template.memories().giveBack(memory.memory());
                memory = null;
            }
        }
    }
}
