package dev.wasmbind.sidecar.bench;

import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.RunSettings;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Per-call latency in process (no HTTP): a fresh instance per call, as the sidecar runs them.
 * Prints one line per case: calls, p50, p99, mean in microseconds. Run by scripts/bench-sidecar.sh;
 * arguments: the tiny module, the SHA-256 module and the native SHA-256 executable.
 */
public final class InProcessBench {

    private static final GuestRunner RUNNER = new GuestRunner();

    /**
     * CPU time of the measuring thread: on a loaded machine wall time mostly measures the other
     * processes, CPU time much less so (the JIT and GC threads are not counted).
     */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static long lastCpuNanosPerCall = -1;

    private InProcessBench() {}

    public static void main(String[] args) throws Exception {
        Path tiny = Path.of(args[0]);
        Path sha256 = Path.of(args[1]);
        Path nativeSha256 = Path.of(args[2]);
        byte[] mebibyte = new byte[1 << 20];
        new Random(42).nextBytes(mebibyte);

        CompiledModule tinyCompiled = load(tiny, true);
        CompiledModule tinyInterpreted = load(tiny, false);
        CompiledModule shaCompiled = load(sha256, true);
        byte[] tinyInput = "\"hello\"".getBytes(StandardCharsets.UTF_8);

        report("tiny execute, compiled", measure(tinyCompiled, tinyInput, 30_000, 30_000));
        report("tiny execute, interpreter", measure(tinyInterpreted, tinyInput, 2_000, 2_000));
        String wasmHash = run(shaCompiled, mebibyte);
        report("sha256 1MiB, compiled wasm", measure(shaCompiled, mebibyte, 60, 100));
        String nativeHash = runNative(nativeSha256, mebibyte);
        if (!wasmHash.equals(nativeHash)) {
            throw new IllegalStateException("wasm and native disagree: " + wasmHash + nativeHash);
        }
        report(
                "sha256 1MiB, native spawned per call",
                measureNative(nativeSha256, mebibyte, 20, 100));
    }

    private static CompiledModule load(Path path, boolean compile) throws Exception {
        byte[] bytes = Files.readAllBytes(path);
        var module = ModuleValidator.create().validate(bytes).module();
        String digest = "sha256:" + Digests.sha256Hex(bytes);
        return compile
                ? new ModuleCompiler().compile(digest, module)
                : ModuleCompiler.interpretNow(digest, module);
    }

    private static RunSettings settings() {
        return RunSettings.builder("bench")
                .withMaxMemoryPages(1024)
                .withMaxResponseBytes(1 << 20)
                .build();
    }

    private static String run(CompiledModule module, byte[] stdin) throws Exception {
        return new String(RUNNER.run(module, settings(), stdin, List.of()), StandardCharsets.UTF_8);
    }

    private static long[] measure(CompiledModule module, byte[] stdin, int warmup, int calls)
            throws Exception {
        RunSettings settings = settings();
        for (int i = 0; i < warmup; i++) {
            RUNNER.run(module, settings, stdin, List.of());
        }
        long[] nanos = new long[calls];
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            RUNNER.run(module, settings, stdin, List.of());
            nanos[i] = System.nanoTime() - start;
        }
        lastCpuNanosPerCall = (THREADS.getCurrentThreadCpuTime() - cpuStart) / calls;
        return nanos;
    }

    private static String runNative(Path executable, byte[] stdin) throws Exception {
        Process process = new ProcessBuilder(executable.toString()).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(executable + " failed");
        }
        return out;
    }

    private static long[] measureNative(Path executable, byte[] stdin, int warmup, int calls)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            runNative(executable, stdin);
        }
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            runNative(executable, stdin);
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static void report(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        System.out.printf(
                "%-40s calls=%d p50=%.1fus p99=%.1fus mean=%.1fus%s%n",
                name,
                sorted.length,
                sorted[sorted.length / 2] / 1000.0,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0,
                mean / 1000.0,
                lastCpuNanosPerCall < 0
                        ? "" // a spawned process: its CPU is not this thread's
                        : String.format(" cpu=%.1fus", lastCpuNanosPerCall / 1000.0));
        lastCpuNanosPerCall = -1;
    }
}
