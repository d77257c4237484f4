package dev.wasmbind.sidecar.runtime;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.runtime.GuestFailure.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GuestRunnerTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");
    private static final GuestRunner RUNNER = new GuestRunner(Clock.fixed(NOW, ZoneOffset.UTC));
    private static final WorkerPool POOL = new WorkerPool(2, 8);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private static RunSettings.Builder settings(String program) {
        return RunSettings.builder(program);
    }

    private static String run(String module, RunSettings settings, String stdin, String... args)
            throws GuestFailure {
        byte[] out =
                RUNNER.run(
                        compiled(module),
                        settings,
                        stdin.getBytes(StandardCharsets.UTF_8),
                        List.of(args));
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerWithStdoutOfWhatItReadFromStdin() throws GuestFailure {
        assertThat(run("cat", settings("cat").build(), "\"hello\"")).isEqualTo("\"hello\"");
    }

    @Test
    void shouldStartEveryCallWithFreshMemory() throws GuestFailure {
        // Each call leaves a counter in .bss, a changed data segment and a dirty heap block behind.
        RunSettings settings = settings("leftovers").build();

        String first = run("leftovers", settings, "");
        // The first call's memory is kept for the next call of the binding, which runs in it.
        assertThat(idleMemories("leftovers", settings)).isEqualTo(1);
        String second = run("leftovers", settings, "");

        assertThat(first).isEqualTo("calls=1 data=fresh heap=0\n");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldStartEveryCallWithAFreshInstanceAndFreshDescriptors() throws GuestFailure {
        // Each call sets a global, fills and grows a table, drops a passive data segment and
        // closes STDOUT (after printing what it found).
        RunSettings settings = settings("instance-state").build();

        String first = run("instance-state", settings, "");
        String second = run("instance-state", settings, "");

        assertThat(first).isEqualTo("global=0 table=empty size=2 segment=P\n");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldNotReuseAMemoryItsGuestGrew() throws GuestFailure {
        RunSettings settings = settings("grow").withMaxMemoryPages(1024).build();

        assertThat(run("grow", settings, "", "16")).isEqualTo("ok\n");

        // A memory cannot shrink: the next call would start with more pages than the module says.
        assertThat(idleMemories("grow", settings)).isZero();
        assertThat(run("grow", settings, "", "16")).isEqualTo("ok\n");
    }

    @Test
    void shouldKeepEachConcurrentCallsInputOutputAndArgumentsApart() throws Exception {
        // One binding, its host functions shared: every call must still read its own STDIN and
        // argv and write its own STDOUT while others run on the other threads.
        RunSettings settings = settings("env").build();
        RunSettings catSettings = settings("cat").build();
        int calls = 200;
        List<java.util.concurrent.Future<String>> envOut = new java.util.ArrayList<>();
        List<java.util.concurrent.Future<String>> catOut = new java.util.ArrayList<>();
        var threads = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < calls; i++) {
                String arg = "arg" + i;
                envOut.add(threads.submit(() -> run("env", settings, "", arg)));
                String text = "text" + i;
                catOut.add(threads.submit(() -> run("cat", catSettings, text)));
            }
            for (int i = 0; i < calls; i++) {
                assertThat(envOut.get(i).get()).isEqualTo("env\narg" + i + "\n");
                assertThat(catOut.get(i).get()).isEqualTo("text" + i);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldBuildTheHostFunctionsOncePerModuleAndSettings() throws GuestFailure {
        RunSettings settings = settings("cat").build();
        run("cat", settings, "one");
        CallTemplate template = settings.template(compiled("cat"));

        run("cat", settings, "two");

        assertThat(settings.template(compiled("cat"))).isSameAs(template);
        // A binding whose module changes (compiled, or replaced) gets the new module's.
        CompiledModule interpreted =
                ModuleCompiler.interpretNow(compiled("cat").digest(), compiled("cat").module());
        assertThat(settings.template(interpreted)).isNotSameAs(template);
        assertThat(settings.template(interpreted).compiled()).isSameAs(interpreted);
    }

    /** Memories kept for the binding's next calls: in its idle instances or its memory pool. */
    private static int idleMemories(String module, RunSettings settings) {
        CallTemplate template = settings.template(compiled(module));
        InstancePool instances = template.instances();
        return template.memories().idleCount() + (instances == null ? 0 : instances.idleCount());
    }

    @Test
    void shouldResetAReusedInstanceBeforeEveryCall() throws GuestFailure {
        // Each call counts start-function runs in one global, sets another, overwrites a byte of a
        // data segment and one outside any segment, and closes STDOUT.
        RunSettings settings = settings("reset-state").build();

        String first = run("reset-state", settings, "");
        InstancePool instances = settings.template(compiled("reset-state")).instances();
        // The first call's instance is kept, and the next calls run in it.
        assertThat(instances).isNotNull();
        assertThat(instances.idleCount()).isEqualTo(1);
        String second = run("reset-state", settings, "");
        String third = run("reset-state", settings, "");

        assertThat(instances.idleCount()).isEqualTo(1);
        assertThat(first).isEqualTo("started=1 calls=0 data=D bss=0\n");
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
    }

    @Test
    void shouldReuseInstancesOnlyOfModulesWhoseCodeChangesNothingButMemoryAndGlobals()
            throws GuestFailure {
        RunSettings settings = settings("instance-state").build();
        run("instance-state", settings, "");

        // table.set, table.grow and data.drop: a reset would not undo them.
        assertThat(ResettableCode.obstacle(compiled("instance-state").module()))
                .startsWith("TABLE_SET");
        assertThat(settings.template(compiled("instance-state")).instances()).isNull();
        assertThat(ResettableCode.obstacle(compiled("leftovers").module())).isNull();
        // Nor of modules on the interpreter, whose machine keeps its stacks.
        CompiledModule interpreted =
                ModuleCompiler.interpretNow(
                        compiled("reset-state").digest(), compiled("reset-state").module());
        assertThat(settings("reset-state").build().template(interpreted).instances()).isNull();
    }

    @Test
    void shouldKeepTheInstanceOnlyOfAGuestThatEndedByItself() throws GuestFailure {
        RunSettings settings = settings("big-output").withMaxResponseBytes(1000).build();
        InstancePool instances = settings.template(compiled("big-output")).instances();
        assertThat(instances).isNotNull();

        // Stopped by the sidecar (here: too much output) in the middle of its run: dropped.
        assertThatThrownBy(() -> run("big-output", settings, "", "100000"))
                .isInstanceOf(GuestFailure.class);
        assertThat(instances.idleCount()).isZero();
        // Ended by returning (or exiting, whatever its code): kept.
        assertThat(run("big-output", settings, "", "10")).isEqualTo("xxxxxxxxxx");
        assertThat(instances.idleCount()).isEqualTo(1);
    }

    @Test
    void shouldStreamALargeStdinAcrossManyReads() throws Exception {
        byte[] mebibyte = new byte[1 << 20];
        new java.util.Random(7).nextBytes(mebibyte);
        String expected =
                java.util.HexFormat.of()
                        .formatHex(
                                java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(mebibyte));

        byte[] out =
                RUNNER.run(compiled("sha256"), settings("sha256").build(), mebibyte, List.of());

        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(expected + "\n");
    }

    @Test
    void shouldPassProgramNameDefaultArgsRequestArgsAndEnv() throws GuestFailure {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "two");
        env.put("A", "one");
        RunSettings settings =
                settings("env").withDefaultArgs(List.of("--spec")).withEnv(env).build();

        String out = run("env", settings, "", "x", "");

        assertThat(out).isEqualTo("A=one\nB=two\nenv\n--spec\nx\n\n");
    }

    @Test
    void shouldWriteStdoutAndStderrAsWasiDoesBeforeAndAfterTheGuestClosesADescriptor()
            throws GuestFailure {
        // Two iovecs to STDOUT, one to STDERR (straight to the streams), then fd_close(1) builds
        // the call's WASI and a write to the closed STDOUT must fail with EBADF; exit 3 or 4
        // otherwise. Twice: the second call gets fresh descriptors.
        RunSettings settings = settings("fd-write").build();

        assertThat(run("fd-write", settings, "")).isEqualTo("abcd");
        assertThat(run("fd-write", settings, "")).isEqualTo("abcd");
    }

    @Test
    void shouldReportANonZeroExitWithTheEndOfStderr() {
        assertThatThrownBy(() -> run("fail", settings("fail").build(), "", "3", "it broke"))
                .isInstanceOfSatisfying(
                        GuestFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.EXIT))
                .hasMessage("module closed with exit_code(3); stderr: it broke");
    }

    @Test
    void shouldReportATrapAsAWasmError() throws Exception {
        // A command module whose _start is a single `unreachable` instruction.
        byte[] trap = {
            0x00,
            0x61,
            0x73,
            0x6d,
            0x01,
            0x00,
            0x00,
            0x00, // header
            0x01,
            0x04,
            0x01,
            0x60,
            0x00,
            0x00, // type () -> ()
            0x03,
            0x02,
            0x01,
            0x00, // one function of that type
            0x05,
            0x03,
            0x01,
            0x00,
            0x01, // memory, 1 page
            0x07,
            0x13,
            0x02, // two exports
            0x06,
            '_',
            's',
            't',
            'a',
            'r',
            't',
            0x00,
            0x00,
            0x06,
            'm',
            'e',
            'm',
            'o',
            'r',
            'y',
            0x02,
            0x00,
            0x0a,
            0x05,
            0x01,
            0x03,
            0x00,
            0x00,
            0x0b // body: unreachable, end
        };
        var module = ModuleValidator.create().validate(trap).module();
        CompiledModule compiled = new ModuleCompiler().compile("sha256:trap", module);

        assertThatThrownBy(
                        () ->
                                RUNNER.run(
                                        compiled, settings("trap").build(), new byte[0], List.of()))
                .isInstanceOfSatisfying(
                        GuestFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRAP))
                .hasMessageStartingWith("wasm error: ")
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldStopAGuestWritingMoreThanMaxResponseBytes() {
        RunSettings settings = settings("big-output").withMaxResponseBytes(1000).build();

        assertThatThrownBy(() -> run("big-output", settings, "", "100000"))
                .isInstanceOfSatisfying(
                        GuestFailure.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.RESPONSE_TOO_LARGE))
                .hasMessageContaining("limits.maxResponseBytes (1000 bytes)");
    }

    @Test
    void shouldAllowOutputOfExactlyMaxResponseBytes() throws GuestFailure {
        RunSettings settings = settings("big-output").withMaxResponseBytes(1000).build();

        assertThat(run("big-output", settings, "", "1000")).hasSize(1000);
    }

    @Test
    void shouldLetTheGuestGrowMemoryWithinTheCap() throws GuestFailure {
        RunSettings settings = settings("grow").withMaxMemoryPages(1024).build();

        assertThat(run("grow", settings, "", "16")).isEqualTo("ok\n");
    }

    @Test
    void shouldFailAnAllocationBeyondTheMemoryCap() {
        // 64 pages = 4 MiB: malloc of 16 MiB fails inside the guest, which exits 1.
        RunSettings settings = settings("grow").withMaxMemoryPages(64).build();

        assertThatThrownBy(() -> run("grow", settings, "", "16"))
                .isInstanceOfSatisfying(
                        GuestFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.EXIT))
                .hasMessageContaining("could not allocate 16 MiB");
    }

    @Test
    void shouldRefuseToStartAModuleWhoseInitialMemoryExceedsTheCap() {
        int initialPages = compiled("cat").initialPages();
        RunSettings settings = settings("cat").withMaxMemoryPages(initialPages - 1).build();

        assertThatThrownBy(() -> run("cat", settings, ""))
                .isInstanceOfSatisfying(
                        GuestFailure.class, e -> assertThat(e.kind()).isEqualTo(Kind.MEMORY_LIMIT));
    }

    @Test
    void shouldGiveTheSameClocksAndRandomOnEveryCallInStrictSandbox() throws GuestFailure {
        RunSettings strict = settings("clock-random").withStrictSandbox(true).build();

        String first = run("clock-random", strict, "");
        String second = run("clock-random", strict, "");

        assertThat(first).isEqualTo(second);
        // Dapr's wall clock: the whole second, +1 ms on the first read (the C guest reads it once).
        long wholeSecondNanos = NOW.getEpochSecond() * 1_000_000_000L;
        List<String> lines = first.lines().toList();
        assertThat(lines.get(0)).isEqualTo(Long.toString(wholeSecondNanos + 1_000_000L));
        // wazero's monotonic clock starts at 0 and advances 1 ms per read.
        assertThat(lines.subList(1, 3)).containsExactly("0", "1000000");
        // getentropy is one random_get: the first 16 bytes of Go's rand.New(rand.NewSource(42))
        // read as an io.Reader (printed by Go 1.19's math/rand).
        assertThat(lines.get(3)).isEqualTo("538c7f96b164bf1b97bb9f4bb472e89f");
    }

    @Test
    void shouldGiveTheOutputOfDaprStrictTestToATinyGoStyleGuest() throws GuestFailure {
        RunSettings strict = settings("tinygo-strict").withStrictSandbox(true).build();

        String out = run("tinygo-strict", strict, "");

        // Dapr's TestNewModuleConfig expects 2000000 and 1000000 for time.Now().Nanosecond() and
        // time.Since(t); its third line comes from arc4random (below), this guest prints the raw
        // random_get bytes.
        assertThat(out).isEqualTo("2000000\n1000000\n538c7f96b1\n");
    }

    @Test
    void shouldGiveTheRandomBytesOfDaprStrictTestThroughWasiLibcArc4random() throws GuestFailure {
        RunSettings strict = settings("arc4random").withStrictSandbox(true).build();

        assertThat(run("arc4random", strict, "")).isEqualTo("3e0a4fc818\n");
    }

    @Test
    void shouldGiveRealRandomOutsideStrictSandbox() throws GuestFailure {
        RunSettings loose = settings("clock-random").build();

        String first = run("clock-random", loose, "").lines().toList().get(3);
        String second = run("clock-random", loose, "").lines().toList().get(3);

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void shouldReturnFromSleepAtOnceInStrictSandbox() throws Exception {
        RunSettings strict = settings("sleep").withStrictSandbox(true).build();

        // An hour of sleep: a real sleep would hit the pool's deadline instead.
        var call =
                POOL.submit(
                        () ->
                                run(
                                        "sleep",
                                        strict,
                                        "",
                                        Long.toString(Duration.ofHours(1).toMillis())),
                        Duration.ofSeconds(20));

        assertThat(call.get()).isEqualTo("slept\n");
    }
}
