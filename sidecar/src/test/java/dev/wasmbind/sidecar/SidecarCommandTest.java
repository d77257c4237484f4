package dev.wasmbind.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
}
