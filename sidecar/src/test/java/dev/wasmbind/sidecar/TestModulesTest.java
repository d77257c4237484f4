package dev.wasmbind.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.wasmbind.module.validate.HostModules;
import dev.wasmbind.sidecar.standalone.ResourceLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the committed test and example modules (built by scripts/build-wasm.sh) are what the other
 * tests assume: their shape, and their behaviour on Chicory's own WASI.
 */
class TestModulesTest {

    private static final Path TEST_MODULES = Path.of("src/test/resources/wasm");
    private static final Path EXAMPLE_MODULES = Path.of("../examples/bindings/modules");
    private static final String WASI = "wasi_snapshot_preview1";
    private static final Set<String> NOT_COMMANDS = Set.of("reactor.wasm");
    private static final Set<String> FOREIGN_IMPORTS = Set.of("unknown-import.wasm");
    private static final Set<String> WASI_HTTP_GUESTS = Set.of("http.wasm", "dapr-http.wasm");

    static Stream<Path> commandModules() throws IOException {
        return Stream.concat(wasmFiles(TEST_MODULES), wasmFiles(EXAMPLE_MODULES))
                .filter(path -> !NOT_COMMANDS.contains(path.getFileName().toString()));
    }

    private static Stream<Path> wasmFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files
                    .filter(path -> path.toString().endsWith(".wasm"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void shouldFindEveryModuleTheOtherTestsUse() throws IOException {
        assertThat(wasmFiles(TEST_MODULES).map(path -> path.getFileName().toString()))
                .contains(
                        "cat.wasm",
                        "loop.wasm",
                        "sleep.wasm",
                        "grow.wasm",
                        "clock-random.wasm",
                        "fail.wasm",
                        "big-output.wasm",
                        "env.wasm",
                        "sha256.wasm",
                        "reactor.wasm",
                        "unknown-import.wasm",
                        "tinygo-strict.wasm",
                        "random-big.wasm",
                        "arc4random.wasm",
                        "http.wasm",
                        "dapr-http.wasm");
        assertThat(wasmFiles(EXAMPLE_MODULES).map(path -> path.getFileName().toString()))
                .contains("uppercase.wasm", "echo-args.wasm", "json-greet.wasm", "hello.wasm");
    }

    @ParameterizedTest
    @MethodSource("commandModules")
    void shouldBeWasiCommandModules(Path path) {
        WasmModule module = Parser.parse(path);

        assertThat(exports(module))
                .containsEntry("_start", ExternalType.FUNCTION)
                .containsEntry("memory", ExternalType.MEMORY);
        List<String> foreign =
                imports(module).stream().filter(name -> !name.startsWith(WASI + ".")).toList();
        if (FOREIGN_IMPORTS.contains(path.getFileName().toString())) {
            assertThat(foreign).containsExactly("env.host_magic");
        } else if (WASI_HTTP_GUESTS.contains(path.getFileName().toString())) {
            // The outbound-HTTP guests: Dapr's 2023 wasi-http functions, nothing else.
            assertThat(foreign)
                    .isNotEmpty()
                    .allSatisfy(
                            name -> {
                                String hostModule = name.substring(0, name.indexOf('.'));
                                String function = name.substring(name.indexOf('.') + 1);
                                assertThat(HostModules.WASI_HTTP_2023)
                                        .hasEntrySatisfying(
                                                hostModule, f -> assertThat(f).contains(function));
                            });
        } else {
            assertThat(foreign).isEmpty();
        }
    }

    @Test
    void shouldPinEveryExampleBindingToItsModule() throws IOException, NoSuchAlgorithmException {
        Path bindings = EXAMPLE_MODULES.getParent();
        List<ResourceLoader.Found> found = new ResourceLoader().load(bindings);
        assertThat(found).isNotEmpty();
        for (ResourceLoader.Found binding : found) {
            String yaml = binding.file().getFileName().toString();
            assertThat(binding.problem()).as(yaml).isNull();
            String url = binding.spec().getUrl();
            assertThat(url).as(yaml + " url").startsWith("file://modules/");
            Path module = bindings.resolve(url.substring("file://".length()));
            String digest =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256")
                                            .digest(Files.readAllBytes(module)));
            assertThat(binding.spec().getSha256()).as(yaml + " sha256").isEqualTo(digest);
        }
    }

    @Test
    void shouldBuildTheReactorWithoutStart() {
        WasmModule module = Parser.parse(TEST_MODULES.resolve("reactor.wasm"));

        assertThat(exports(module))
                .doesNotContainKey("_start")
                .containsEntry("_initialize", ExternalType.FUNCTION)
                .containsEntry("memory", ExternalType.MEMORY);
    }

    @Test
    void shouldCopyStdinByteForByte() {
        byte[] everyByte = new byte[256];
        IntStream.range(0, 256).forEach(i -> everyByte[i] = (byte) i);

        Run run = run(TEST_MODULES.resolve("cat.wasm"), everyByte);

        assertThat(run.exitCode).isZero();
        assertThat(run.stdout).isEqualTo(everyByte);
    }

    @Test
    void shouldHashStdinLikeTheJdk() throws NoSuchAlgorithmException {
        byte[] input = new byte[200_003];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 31 + 7);
        }
        String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));

        assertThat(run(TEST_MODULES.resolve("sha256.wasm"), input).stdoutText())
                .isEqualTo(expected + "\n");
        assertThat(run(TEST_MODULES.resolve("sha256.wasm"), bytes("abc")).stdoutText())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    }

    @Test
    void shouldExitWithTheRequestedCodeAndMessage() {
        Run run = run(TEST_MODULES.resolve("fail.wasm"), new byte[0], "fail", "3", "it broke");

        assertThat(run.exitCode).isEqualTo(3);
        assertThat(run.stderrText()).isEqualTo("it broke\n");
    }

    @Test
    void shouldWriteTheRequestedNumberOfBytes() {
        Run run = run(TEST_MODULES.resolve("big-output.wasm"), new byte[0], "big-output", "100000");

        assertThat(run.exitCode).isZero();
        assertThat(run.stdoutText()).hasSize(100_000).matches("x+");
    }

    @Test
    void shouldPrintSortedEnvironmentThenArguments() {
        Map<String, String> env = new TreeMap<>(Map.of("ZETA", "last", "ALPHA", "first"));

        Run run = run(TEST_MODULES.resolve("env.wasm"), new byte[0], env, "env", "a b", "c");

        assertThat(run.stdoutText()).isEqualTo("ALPHA=first\nZETA=last\nenv\na b\nc\n");
    }

    @Test
    void shouldAllocateAndReportOk() {
        Run run = run(TEST_MODULES.resolve("grow.wasm"), new byte[0], "grow", "8");

        assertThat(run.exitCode).isZero();
        assertThat(run.stdoutText()).isEqualTo("ok\n");
    }

    @Test
    void shouldSleepThenSaySo() {
        Run run = run(TEST_MODULES.resolve("sleep.wasm"), new byte[0], "sleep", "1");

        assertThat(run.stdoutText()).isEqualTo("slept\n");
    }

    @Test
    void shouldPrintClocksAndRandomBytes() {
        String[] lines =
                run(TEST_MODULES.resolve("clock-random.wasm"), new byte[0])
                        .stdoutText()
                        .split("\n");

        assertThat(lines).hasSize(4);
        assertThat(Long.parseLong(lines[0])).isPositive();
        assertThat(Long.parseLong(lines[2])).isGreaterThanOrEqualTo(Long.parseLong(lines[1]));
        assertThat(lines[3]).matches("[0-9a-f]{32}");
    }

    @Test
    void shouldUppercaseAsciiAndKeepOtherBytes() {
        Run run = run(EXAMPLE_MODULES.resolve("uppercase.wasm"), bytes("\"hello, wörld\""));

        assertThat(run.stdoutText()).isEqualTo("\"HELLO, WöRLD\"");
    }

    @Test
    void shouldEchoArgumentsWithoutTheProgramName() {
        Run run =
                run(EXAMPLE_MODULES.resolve("echo-args.wasm"), new byte[0], "echo-args", "a", "b");

        assertThat(run.stdoutText()).isEqualTo("a b\n");
    }

    @Test
    void shouldGreetLikeDaprDocsExample() {
        // daprd hands "data":"salaboy" to STDIN JSON-encoded, quotes included.
        Run run = run(EXAMPLE_MODULES.resolve("hello.wasm"), bytes("\"salaboy\""), "hello");

        assertThat(run.stdoutText()).isEqualTo("Hello, \"salaboy\"");
    }

    @Test
    void shouldGreetEveryLine() {
        Run run = run(EXAMPLE_MODULES.resolve("hello.wasm"), bytes("Ada\nGrace\n"), "hello");

        assertThat(run.stdoutText()).isEqualTo("Hello, Ada\nHello, Grace\n");
    }

    @Test
    void shouldAnswerJsonWithAGreeting() {
        Run run =
                run(
                        EXAMPLE_MODULES.resolve("json-greet.wasm"),
                        bytes(" {\"age\": [1, {\"x\": null}], \"name\": \"Ada \\\"L\\\"\"} "));

        assertThat(run.exitCode).isZero();
        assertThat(run.stdoutText()).isEqualTo("{\"greeting\":\"Hello, Ada \\\"L\\\"!\"}");
    }

    @ParameterizedTest
    @MethodSource("invalidGreetings")
    void shouldRefuseInvalidJsonWithExitCode2(String input) {
        Run run = run(EXAMPLE_MODULES.resolve("json-greet.wasm"), bytes(input));

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.stdout).isEmpty();
        assertThat(run.stderrText()).startsWith("json-greet: ");
    }

    static Stream<String> invalidGreetings() {
        return Stream.of(
                "", "\"Ada\"", "{\"name\":1}", "{\"nom\":\"Ada\"}", "{\"name\":\"Ada\"", "{} x");
    }

    @Test
    void shouldNotInstantiateWithoutTheForeignImport() {
        assertThatThrownBy(() -> run(TEST_MODULES.resolve("unknown-import.wasm"), new byte[0]))
                .hasMessageContaining("host_magic");
    }

    private static Map<String, ExternalType> exports(WasmModule module) {
        Map<String, ExternalType> exports = new TreeMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export export = module.exportSection().getExport(i);
            exports.put(export.name(), export.exportType());
        }
        return exports;
    }

    private static List<String> imports(WasmModule module) {
        return module.importSection().stream()
                .map((Import imported) -> imported.module() + "." + imported.name())
                .collect(Collectors.toList());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Run run(Path path, byte[] stdin, String... args) {
        return run(path, stdin, Map.of(), args);
    }

    /** Runs a command module's _start on Chicory's interpreter, as a plain WASI host would. */
    private static Run run(Path path, byte[] stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of(args));
        if (argv.isEmpty()) {
            argv.add(path.getFileName().toString().replace(".wasm", ""));
        }
        WasiOptions.Builder options =
                WasiOptions.builder()
                        .withArguments(argv)
                        .withStdin(new ByteArrayInputStream(stdin))
                        .withStdout(stdout)
                        .withStderr(stderr);
        env.forEach(options::withEnvironment);
        int exitCode = 0;
        try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options.build()).build()) {
            WasmModule module = Parser.parse(path);
            // Keep the module's own initial size; cap growth at 64 MiB (the default is 4 GiB).
            int initialPages =
                    module.memorySection().orElseThrow().getMemory(0).limits().initialPages();
            Instance instance =
                    Instance.builder(module)
                            .withImportValues(
                                    ImportValues.builder()
                                            .addFunction(wasi.toHostFunctions())
                                            .build())
                            .withMemoryLimits(new MemoryLimits(initialPages, 1024))
                            .withStart(false)
                            .build();
            instance.export("_start").apply();
        } catch (WasiExitException e) {
            exitCode = e.exitCode();
        }
        return new Run(exitCode, stdout.toByteArray(), stderr.toByteArray());
    }

    private record Run(int exitCode, byte[] stdout, byte[] stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }
}
