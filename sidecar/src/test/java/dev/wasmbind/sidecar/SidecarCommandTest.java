package dev.wasmbind.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.command.Command;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.command.UsageException;
import dev.wasmbind.sidecar.http.ServerLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SidecarCommandTest {

    @TempDir Path dir;

    /** Exit code and what went to stdout and stderr. */
    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit =
                SidecarCommand.COMMAND.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        SidecarCommand::run);
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static SidecarSettings settings(String... args) throws UsageException {
        return SidecarCommand.settings(SidecarCommand.COMMAND.parse(args));
    }

    @Test
    void shouldRefuseInPodModeWithoutModulesDirWithAUsageExitCode() {
        Run run = run("--module-service", "https://op:8443");

        assertThat(run.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(run.err()).startsWith("wasmbind-sidecar: in-pod mode needs --modules-dir DIR");
    }

    @Test
    void shouldRefuseInPodModeWithAUsageExitCode() {
        // No WASMBIND_MODULE_SERVICE_CA nor POD_NAMESPACE in the build.
        assertThat(run("--modules-dir", "/tmp", "--module-service", "https://op:8443").exit())
                .isEqualTo(Command.EXIT_USAGE);
    }

    @Test
    void shouldAskForAModeWhenGivenNone() {
        Run run = run();

        assertThat(run.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(run.err()).contains("give --resources DIR (standalone) or --module-service URL");
    }

    @Test
    void shouldFailWhenTheResourcesFolderDoesNotExist() {
        assertThat(run("--resources", dir.resolve("missing").toString()).exit())
                .isEqualTo(Command.EXIT_FAILURE);
    }

    @Test
    void shouldRefuseUnknownFlagsMissingValuesAndBadValuesNamingTheFlag() {
        Run unknown = run("--resources", dir.toString(), "--http_port=1");
        Run missing = run("--resources", dir.toString(), "--http-port");
        Run badNumber = run("--resources", dir.toString(), "--http-port", "x");
        Run badFormat = run("--resources", dir.toString(), "--log-format", "xml");
        Run badDuration = run("--resources", dir.toString(), "--idle-timeout", "soon");

        assertThat(unknown.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(unknown.err()).startsWith("wasmbind-sidecar: unknown flag --http_port\n");
        assertThat(missing.err()).contains("--http-port needs a value: --http-port=PORT");
        assertThat(badNumber.err())
                .contains("invalid value for --http-port: 'x' is not a whole number");
        assertThat(badFormat.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(badFormat.err())
                .contains(
                        "invalid value for --log-format: log format 'xml' is not one of text, json");
        assertThat(badDuration.err())
                .contains("invalid value for --idle-timeout: 'soon' is not a duration");
    }

    @Test
    void shouldListEveryFlagWithItsDefaultInHelp() {
        Run help = run("--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .startsWith("Usage: wasmbind-sidecar [--flag=value]...\n")
                .contains(
                        "  --http-port=PORT\n      Port of Dapr's HTTP API.\n      Default: 3500.\n")
                .contains("Default: 127.0.0.1.")
                .contains("  --idle-timeout=DURATION\n")
                .contains("Default: 1m.")
                .doesNotContain("Env:");
        for (String flag :
                new String[] {
                    "--resources=DIR", "--listen-address=ADDRESS", "--app-id=ID",
                    "--log-level=LEVEL", "--log-format=FORMAT", "--grpc-port=PORT",
                    "--module-service=URL", "--modules-dir=DIR", "--token-file=FILE",
                    "--bindings=A,B", "--health-port=PORT", "--header-timeout=DURATION",
                    "--max-header-bytes=BYTES", "--request-bytes-in-flight=BYTES"
                }) {
            assertThat(help.out()).contains("  " + flag + "\n");
        }
    }

    @Test
    void shouldPrintItsVersion() {
        Run version = run("-V");

        assertThat(version.exit()).isZero();
        assertThat(version.out()).isEqualTo("wasmbind-sidecar dev\n");
    }

    @Test
    void shouldTakeItsDefaultsFromTheSettingsRecordAndCarryTheInPodFlags() throws Exception {
        SidecarSettings settings =
                settings(
                        "--modules-dir=/var/lib/wasmbind",
                        "--bindings=hello",
                        "--module-service=https://op:8443",
                        "--token-file",
                        "/var/run/token",
                        "--grpc-port=50001",
                        "--log-level=DEBUG");

        assertThat(settings.httpPort()).isEqualTo(SidecarSettings.defaults().httpPort());
        assertThat(settings.listenAddress()).isEqualTo("127.0.0.1");
        assertThat(settings.logLevel()).isEqualTo(LogLevel.debug);
        assertThat(settings.standaloneResources()).isEmpty();
        assertThat(settings.modulesDir()).isEqualTo(Path.of("/var/lib/wasmbind"));
        assertThat(settings.bindings()).isEqualTo("hello");
        assertThat(settings.moduleService()).isEqualTo("https://op:8443");
        assertThat(settings.tokenFile()).isEqualTo(Path.of("/var/run/token"));
        assertThat(settings.grpcPort()).isEqualTo(50001);
    }

    @Test
    void shouldTakeEveryDefaultFromTheSettingsRecord() throws Exception {
        assertThat(settings()).isEqualTo(SidecarSettings.defaults());
    }

    @Test
    void shouldParseTheFlagsTheInjectorAndTheBenchScriptPass() throws Exception {
        // SidecarInjector's container args, then scripts/bench-startup.sh's.
        SidecarSettings injected =
                settings(
                        "--http-port",
                        "3500",
                        "--health-port",
                        "9464",
                        "--grpc-port",
                        "50001",
                        "--log-level",
                        "info",
                        "--modules-dir",
                        "/var/run/wasmbind/modules",
                        "--token-file",
                        "/var/run/secrets/wasmbind/token",
                        "--module-service",
                        "https://op.wasmbind.svc:9443",
                        "--bindings",
                        "a,b",
                        "--idle-timeout=2m",
                        "--request-bytes-in-flight=64Mi");
        SidecarSettings bench =
                settings(
                        "--resources",
                        "/tmp/res",
                        "--http-port",
                        "3598",
                        "--grpc-port",
                        "0",
                        "--log-level",
                        "debug");

        assertThat(injected.healthPort()).isEqualTo(9464);
        assertThat(injected.bindingNames()).containsExactly("a", "b");
        assertThat(injected.serverLimits().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(bench.resources()).isEqualTo(Path.of("/tmp/res"));
        assertThat(bench.grpcPort()).isZero();
        assertThat(settings("--grpc-port", "-1").grpcPort()).isEqualTo(-1);
    }

    @Test
    void shouldTakeTheServerLimitsFromFlagsWithDefaultsFromServerLimits() throws Exception {
        assertThat(settings("--resources=/tmp").serverLimits()).isEqualTo(ServerLimits.defaults());

        assertThat(
                        settings(
                                        "--resources=/tmp",
                                        "--idle-timeout=1m30s",
                                        "--header-timeout=500ms",
                                        "--max-header-bytes=16384",
                                        "--request-bytes-in-flight=64Mi")
                                .serverLimits())
                .isEqualTo(
                        new ServerLimits(
                                Duration.ofSeconds(90),
                                Duration.ofMillis(500),
                                16384,
                                64L * 1024 * 1024));
    }

    @Test
    void shouldRefuseBadServerLimitsWithAUsageExitCode() {
        assertThat(run("--resources", dir.toString(), "--idle-timeout", "soon").exit())
                .isEqualTo(Command.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--header-timeout", "0s").exit())
                .isEqualTo(Command.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--request-bytes-in-flight", "1e9").exit())
                .isEqualTo(Command.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--max-header-bytes", "-1").exit())
                .isEqualTo(Command.EXIT_USAGE);
    }

    @Test
    void shouldParseSizesAsBytesOrBinaryQuantities() {
        assertThat(ServerLimits.parseBytes("8192")).isEqualTo(8192);
        assertThat(ServerLimits.parseBytes("8Ki")).isEqualTo(8192);
        assertThat(ServerLimits.parseBytes("2Gi")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> ServerLimits.parseBytes("99999999999999Gi"))
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> ServerLimits.parseBytes("64MB"))
                .hasMessageContaining("not a size");
    }
}
