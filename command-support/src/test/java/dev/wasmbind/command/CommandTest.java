package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandTest {

    static final Flag<Integer> PORT =
            Flag.builder("--port", FlagType.INTEGER)
                    .description("Port to listen on.")
                    .defaultValue("8080")
                    .build();
    static final Flag<Path> CACHE_DIR =
            Flag.builder("--cache-dir", FlagType.PATH)
                    .label("DIR")
                    .description("Where modules are kept.")
                    .build();
    static final Flag<Duration> TIMEOUT =
            Flag.builder("--fetch-timeout", FlagType.of("DURATION", Duration::parse))
                    .description("Time allowed per fetch.")
                    .defaultValue("PT30S")
                    .build();
    static final Flag<Boolean> ALLOW_FILE_URLS =
            Flag.builder("--allow-file-urls", FlagType.BOOLEAN)
                    .description("Fetch file:// URLs.")
                    .build();
    static final Flag<Boolean> LEADER_ELECTION =
            Flag.builder("--leader-election", FlagType.BOOLEAN)
                    .description("Elect one active replica.")
                    .defaultValue("true")
                    .negatable()
                    .build();
    static final Flag<List<String>> NAMESPACES =
            Flag.builder("--namespaces", FlagType.commaSeparated(FlagType.TEXT))
                    .description("Namespaces to watch.")
                    .build();
    static final Flag<LogLevel> LOG_LEVEL =
            Flag.builder("--log-level", LogOptions.LEVEL)
                    .description("How much to log.")
                    .defaultValue("info")
                    .build();

    private static Command command(Map<String, String> environment) {
        return Command.builder("wasmbind-example")
                .description("Does an example thing.")
                .version("1.2.3")
                .environmentPrefix("WASMBIND_")
                .environment(environment::get)
                .flags(
                        PORT,
                        CACHE_DIR,
                        TIMEOUT,
                        ALLOW_FILE_URLS,
                        LEADER_ELECTION,
                        NAMESPACES,
                        LOG_LEVEL)
                .build();
    }

    private static FlagValues parse(String... args) throws UsageException {
        return command(Map.of()).parse(args);
    }

    /** Runs the command; the action prints the port it got. */
    private static Result execute(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit =
                command(Map.of())
                        .execute(
                                args,
                                new PrintStream(out, true, StandardCharsets.UTF_8),
                                new PrintStream(err, true, StandardCharsets.UTF_8),
                                flags -> {
                                    if (flags.get(PORT) == 0) {
                                        throw new UsageException("--port 0 is not allowed here");
                                    }
                                    if (flags.get(PORT) == 1) {
                                        throw new IllegalStateException("broken");
                                    }
                                    return 7;
                                });
        return new Result(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int exit, String out, String err) {}

    @Test
    void shouldTakeAValueAfterAnEqualsSignOrAsTheNextArgument() throws Exception {
        assertThat(parse("--port=9090").get(PORT)).isEqualTo(9090);
        assertThat(parse("--port", "9090").get(PORT)).isEqualTo(9090);
        assertThat(parse("--cache-dir", "/var/cache").get(CACHE_DIR))
                .isEqualTo(Path.of("/var/cache"));
    }

    @Test
    void shouldTakeAValueThatStartsWithADashWhenItIsNoFlag() throws Exception {
        assertThat(parse("--port", "-1").get(PORT)).isEqualTo(-1);
    }

    @Test
    void shouldTakeAnEmptyValueAfterAnEqualsSign() throws Exception {
        assertThat(parse("--cache-dir=").get(CACHE_DIR)).isEqualTo(Path.of(""));
    }

    @Test
    void shouldUseTheDefaultOrNullWhenAFlagIsNotGiven() throws Exception {
        FlagValues values = parse();

        assertThat(values.get(PORT)).isEqualTo(8080);
        assertThat(values.get(TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(values.get(CACHE_DIR)).isNull();
        assertThat(values.get(ALLOW_FILE_URLS)).isFalse();
        assertThat(values.get(LEADER_ELECTION)).isTrue();
        assertThat(values.get(NAMESPACES)).isEmpty();
        assertThat(values.get(LOG_LEVEL)).isEqualTo(LogLevel.info);
    }

    @Test
    void shouldTakeTheFlagThenItsEnvironmentVariableThenTheDefault() throws Exception {
        Command command =
                command(
                        Map.of(
                                "WASMBIND_PORT", "9",
                                "WASMBIND_FETCH_TIMEOUT", "PT2M",
                                "WASMBIND_NAMESPACES", "a,b",
                                "WASMBIND_LEADER_ELECTION", "false"));

        FlagValues values = command.parse("--port=1");

        assertThat(values.get(PORT)).isEqualTo(1);
        assertThat(values.get(TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(values.get(NAMESPACES)).containsExactly("a", "b");
        assertThat(values.get(LEADER_ELECTION)).isFalse();
        assertThat(values.get(LOG_LEVEL)).isEqualTo(LogLevel.info);
    }

    @Test
    void shouldReadNoEnvironmentWithoutAPrefix() throws Exception {
        Command command =
                Command.builder("wasmbind-example")
                        .description("Does an example thing.")
                        .version("1")
                        .environment(Map.of("PORT", "9", "_PORT", "9")::get)
                        .flags(PORT)
                        .build();

        assertThat(command.parse().get(PORT)).isEqualTo(8080);
    }

    @Test
    void shouldNameTheEnvironmentVariableOfABadValue() {
        assertThatThrownBy(() -> command(Map.of("WASMBIND_PORT", "many")).parse())
                .isInstanceOf(UsageException.class)
                .hasMessage(
                        "invalid value for --port (from WASMBIND_PORT): 'many' is not a whole number");
    }

    @Test
    void shouldTurnASwitchOnAloneAndTakeTrueOrFalseAfterAnEqualsSign() throws Exception {
        assertThat(parse("--allow-file-urls").get(ALLOW_FILE_URLS)).isTrue();
        assertThat(parse("--allow-file-urls=FALSE").get(ALLOW_FILE_URLS)).isFalse();
        assertThat(parse("--leader-election").get(LEADER_ELECTION)).isTrue();
        assertThat(parse("--no-leader-election").get(LEADER_ELECTION)).isFalse();
        assertThat(parse("--leader-election=false").get(LEADER_ELECTION)).isFalse();
    }

    @Test
    void shouldNotTakeTheNextArgumentAsTheValueOfASwitch() {
        assertThatThrownBy(() -> parse("--allow-file-urls", "false"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("unexpected argument 'false'");
    }

    @Test
    void shouldRefuseAValueForANegatedSwitch() {
        assertThatThrownBy(() -> parse("--no-leader-election=true"))
                .hasMessage("--no-leader-election takes no value");
    }

    @Test
    void shouldAddUpRepeatedListFlags() throws Exception {
        assertThat(parse("--namespaces=a,b", "--namespaces", " c ,,").get(NAMESPACES))
                .containsExactly("a", "b", "c");
    }

    @Test
    void shouldRefuseAnOtherFlagGivenTwice() {
        assertThatThrownBy(() -> parse("--port=1", "--port=2")).hasMessage("--port is given twice");
    }

    @Test
    void shouldNameAnUnknownFlag() {
        assertThatThrownBy(() -> parse("--port=1", "--prot=2"))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown flag --prot");
        assertThatThrownBy(() -> parse("-p")).hasMessageContaining("unexpected argument '-p'");
    }

    @Test
    void shouldNameAFlagWhoseValueIsMissing() {
        assertThatThrownBy(() -> parse("--port")).hasMessage("--port needs a value: --port=N");
        assertThatThrownBy(() -> parse("--cache-dir", "--port=1"))
                .hasMessage("--cache-dir needs a value: --cache-dir=DIR");
        assertThatThrownBy(() -> parse("--cache-dir", "--help"))
                .hasMessage("--cache-dir needs a value: --cache-dir=DIR");
    }

    @Test
    void shouldNameTheFlagAndTheAcceptedValuesOfABadValue() {
        assertThatThrownBy(() -> parse("--port=http"))
                .hasMessage("invalid value for --port: 'http' is not a whole number");
        assertThatThrownBy(() -> parse("--log-level", "loud"))
                .hasMessage(
                        "invalid value for --log-level: log level 'loud' is not one of error,"
                                + " warn, info, debug, trace");
        assertThatThrownBy(() -> parse("--allow-file-urls=yes"))
                .hasMessage("invalid value for --allow-file-urls: 'yes' is not true or false");
    }

    @Test
    void shouldPrintHelpWithEveryFlagItsDescriptionDefaultAndEnvironmentVariable() {
        Result result = execute("--port=5", "--help");

        assertThat(result.exit()).isEqualTo(Command.EXIT_OK);
        assertThat(result.err()).isEmpty();
        assertThat(result.out())
                .startsWith("Usage: wasmbind-example [--flag=value]...\nDoes an example thing.\n")
                .contains(
                        "  --port=N\n"
                                + "      Port to listen on.\n"
                                + "      Default: 8080. Env: WASMBIND_PORT.\n")
                .contains(
                        "  --cache-dir=DIR\n"
                                + "      Where modules are kept.\n"
                                + "      Env: WASMBIND_CACHE_DIR.\n")
                .contains("  --[no-]leader-election\n")
                .contains("  --allow-file-urls\n")
                .contains("  --namespaces=TEXT,...\n")
                .contains("  --log-level=LEVEL\n")
                .contains("  -h, --help\n")
                .contains("  -V, --version\n");
        assertThat(result.out().lines()).allMatch(line -> line.length() <= 80);
        assertThat(execute("-h").out()).isEqualTo(result.out());
    }

    @Test
    void shouldWrapLongDescriptionsAtEightyColumns() {
        Flag<String> verbose =
                Flag.builder("--verbose-flag", FlagType.TEXT)
                        .description("word ".repeat(40).strip())
                        .build();
        String help =
                Command.builder("wasmbind-example")
                        .description("Example.")
                        .version("1")
                        .flags(verbose)
                        .build()
                        .help();

        assertThat(help.lines().filter(line -> line.startsWith("      word"))).hasSize(3);
        assertThat(help.lines()).allMatch(line -> line.length() <= 80);
    }

    @Test
    void shouldPrintTheNameAndVersion() {
        Result result = execute("--version");

        assertThat(result.exit()).isEqualTo(Command.EXIT_OK);
        assertThat(result.out()).isEqualTo("wasmbind-example 1.2.3\n");
        assertThat(execute("-V").out()).isEqualTo(result.out());
    }

    @Test
    void shouldExitWithTheActionsCode() {
        assertThat(execute("--port=5").exit()).isEqualTo(7);
    }

    @Test
    void shouldExitWithTwoAndTheReasonForABadCommandLine() {
        Result unknown = execute("--bogus");
        Result refusedByTheAction = execute("--port=0");

        assertThat(unknown.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(unknown.err())
                .isEqualTo(
                        "wasmbind-example: unknown flag --bogus\n"
                                + "Run 'wasmbind-example --help' for its flags.\n");
        assertThat(unknown.out()).isEmpty();
        assertThat(refusedByTheAction.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(refusedByTheAction.err())
                .startsWith("wasmbind-example: --port 0 is not allowed here\n");
    }

    @Test
    void shouldExitWithOneAndTheStackTraceWhenTheActionFails() {
        Result result = execute("--port=1");

        assertThat(result.exit()).isEqualTo(Command.EXIT_FAILURE);
        assertThat(result.err())
                .startsWith("wasmbind-example: java.lang.IllegalStateException: broken\n")
                .contains("at dev.wasmbind.command.CommandTest");
    }

    @Test
    void shouldRefuseToDeclareAFlagTwiceOrOneWithoutADescription() {
        assertThatThrownBy(
                        () ->
                                Command.builder("x")
                                        .description("x")
                                        .version("1")
                                        .flags(PORT, PORT)
                                        .build())
                .hasMessageContaining("--port twice");
        assertThatThrownBy(() -> Flag.builder("--port", FlagType.INTEGER).build())
                .hasMessageContaining("needs a description");
        assertThatThrownBy(() -> Flag.builder("port", FlagType.INTEGER))
                .hasMessageContaining("--lower-case-words");
        assertThatThrownBy(() -> Flag.builder("--port", FlagType.INTEGER).negatable())
                .hasMessageContaining("only a true/false switch");
    }

    @Test
    void shouldNameTheEnvironmentVariableAfterTheFlag() {
        Flag<String> limit =
                Flag.builder("--sidecar-cpu-limit", FlagType.TEXT).description("x").build();

        assertThat(limit.environmentVariable("WASMBIND_INJECTOR_"))
                .isEqualTo("WASMBIND_INJECTOR_SIDECAR_CPU_LIMIT");
    }
}
