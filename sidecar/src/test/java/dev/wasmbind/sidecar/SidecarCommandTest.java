package dev.wasmbind.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.sidecar.http.ServerLimits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SidecarCommandTest {

    @TempDir Path dir;

    private static int run(String... args) {
        var command = new CommandLine(new SidecarCommand());
        command.setErr(new PrintWriter(new StringWriter()));
        return command.execute(args);
    }

    @Test
    void shouldRefuseInPodModeWithAUsageExitCode() {
        assertThat(run("--modules-dir", dir.toString(), "--module-service", "https://op:8443"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
    }

    @Test
    void shouldFailWhenTheResourcesFolderDoesNotExist() {
        assertThat(run("--resources", dir.resolve("missing").toString()))
                .isEqualTo(SidecarCommand.EXIT_FAILURE);
    }

    @Test
    void shouldRefuseAnUnknownLogFormat() {
        assertThat(run("--resources", dir.toString(), "--log-format", "xml"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
    }

    @Test
    void shouldTakeItsDefaultsFromTheSettingsRecordAndCarryTheInPodFlags() {
        var command = new SidecarCommand();
        new CommandLine(command)
                .parseArgs(
                        "--modules-dir=/var/lib/wasmbind",
                        "--bindings=hello",
                        "--module-service=https://op:8443",
                        "--token-file=/var/run/token",
                        "--grpc-port=50001",
                        "--log-level=DEBUG");

        SidecarSettings settings = command.settings();

        assertThat(settings.httpPort()).isEqualTo(SidecarSettings.defaults().httpPort());
        assertThat(settings.listenAddress()).isEqualTo("127.0.0.1");
        assertThat(settings.logLevel()).isEqualTo(dev.wasmbind.command.LogLevel.debug);
        assertThat(settings.standaloneResources()).isEmpty();
        assertThat(settings.modulesDir()).isEqualTo(Path.of("/var/lib/wasmbind"));
        assertThat(settings.bindings()).isEqualTo("hello");
        assertThat(settings.moduleService()).isEqualTo("https://op:8443");
        assertThat(settings.tokenFile()).isEqualTo(Path.of("/var/run/token"));
        assertThat(settings.grpcPort()).isEqualTo(50001);
    }

    @Test
    void shouldTakeTheServerLimitsFromFlagsWithDefaultsFromServerLimits() {
        var defaults = new SidecarCommand();
        new CommandLine(defaults).parseArgs("--resources=/tmp");
        assertThat(defaults.settings().serverLimits()).isEqualTo(ServerLimits.defaults());

        var command = new SidecarCommand();
        new CommandLine(command)
                .parseArgs(
                        "--resources=/tmp",
                        "--idle-timeout=1m30s",
                        "--header-timeout=500ms",
                        "--max-header-bytes=16384",
                        "--request-bytes-in-flight=64Mi");

        assertThat(command.settings().serverLimits())
                .isEqualTo(
                        new ServerLimits(
                                Duration.ofSeconds(90),
                                Duration.ofMillis(500),
                                16384,
                                64L * 1024 * 1024));
    }

    @Test
    void shouldRefuseBadServerLimitsWithAUsageExitCode() {
        assertThat(run("--resources", dir.toString(), "--idle-timeout", "soon"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--header-timeout", "0s"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--request-bytes-in-flight", "1e9"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
        assertThat(run("--resources", dir.toString(), "--max-header-bytes", "-1"))
                .isEqualTo(SidecarCommand.EXIT_USAGE);
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
