package dev.wasmbind.benchmarks;

import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.module.validate.ValidatedModule;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.GuestFailure;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.RunSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One guest call in process, through the sidecar's real {@link GuestRunner}: what a binding's call
 * costs once its module is compiled, without HTTP. Each call gets what a call through the API gets
 * (a fresh guest, STDIN in, STDOUT out, the memory budget and the limits of a binding).
 *
 * <p>{@code tiny*}: {@code examples/bindings/modules/uppercase.wasm} reading {@code "hello"} (a C
 * program, 2 pages of memory); {@code sha256}: {@code sidecar/src/test/resources/wasm/sha256.wasm}
 * hashing 1 MiB of random bytes from STDIN. Run by {@code scripts/bench-jmh.sh}; results in {@code
 * docs/bench/jmh.md}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC", "-Xms64m", "-Xmx256m"})
public class GuestCallBenchmark {

    private static final List<String> NO_ARGS = List.of();

    /** The runner and a binding's settings, as the sidecar has them (64 MiB memory cap). */
    @State(Scope.Benchmark)
    public static class Runner {
        final GuestRunner runner = new GuestRunner();
        final RunSettings settings =
                RunSettings.builder("bench")
                        .withMaxMemoryPages(1024)
                        .withMaxResponseBytes(1 << 20)
                        .build();

        byte[] run(CompiledModule module, byte[] stdin) throws GuestFailure {
            return runner.run(module, settings, stdin, NO_ARGS);
        }

        /** The benchmark measures the right thing only while the guest answers right. */
        void check(CompiledModule module, byte[] stdin, String expected) throws GuestFailure {
            String out = new String(run(module, stdin), StandardCharsets.UTF_8);
            if (!out.equals(expected)) {
                throw new IllegalStateException(
                        module.digest() + " answered " + out + " instead of " + expected);
            }
        }
    }

    /** {@code uppercase.wasm} reading {@code "hello"}, compiled and on the interpreter. */
    @State(Scope.Benchmark)
    public static class Tiny {
        final byte[] input = "\"hello\"".getBytes(StandardCharsets.UTF_8);
        CompiledModule compiled;
        CompiledModule interpreted;

        @Setup
        public void setUp(Runner runner) throws Exception {
            byte[] bytes = resource("uppercase.wasm");
            compiled = new ModuleCompiler().compile(digest(bytes), validate(bytes).module());
            interpreted = ModuleCompiler.interpretNow(digest(bytes), validate(bytes).module());
            runner.check(compiled, input, "\"HELLO\"");
            runner.check(interpreted, input, "\"HELLO\"");
        }
    }

    /** {@code sha256.wasm} hashing 1 MiB of random bytes, compiled. */
    @State(Scope.Benchmark)
    public static class Sha256 {
        final byte[] mebibyte = new byte[1 << 20];
        CompiledModule compiled;

        @Setup
        public void setUp(Runner runner) throws Exception {
            new Random(42).nextBytes(mebibyte);
            byte[] bytes = resource("sha256.wasm");
            compiled = new ModuleCompiler().compile(digest(bytes), validate(bytes).module());
            runner.check(compiled, mebibyte, sha256Hex(mebibyte) + "\n");
        }
    }

    @Benchmark
    @Warmup(iterations = 5, time = 2)
    @Measurement(iterations = 5, time = 2)
    public byte[] tinyCompiled(Runner runner, Tiny tiny) throws GuestFailure {
        return runner.run(tiny.compiled, tiny.input);
    }

    @Benchmark
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public byte[] tinyInterpreted(Runner runner, Tiny tiny) throws GuestFailure {
        return runner.run(tiny.interpreted, tiny.input);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 4, time = 3)
    @Measurement(iterations = 5, time = 3)
    public byte[] sha256Compiled(Runner runner, Sha256 sha256) throws GuestFailure {
        return runner.run(sha256.compiled, sha256.mebibyte);
    }

    private static ValidatedModule validate(byte[] bytes) throws Exception {
        return ModuleValidator.create().validate(bytes);
    }

    private static String digest(byte[] bytes) {
        return "sha256:" + Digests.sha256Hex(bytes);
    }

    private static String sha256Hex(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GuestCallBenchmark.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) {
                throw new IOException("no resource wasm/" + name);
            }
            return in.readAllBytes();
        }
    }
}
