package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir Path dir;

    private static int run(String... args) {
        var command = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setErr(new PrintWriter(new StringWriter()));
        return command.execute(args);
    }

    @Test
    void shouldRefuseInPodModeWithAUsageExitCode() {
        assertThat(run("--modules-dir", dir.toString(), "--module-service", "https://op:8443"))
                .isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void shouldFailWhenTheResourcesFolderDoesNotExist() {
        assertThat(run("--resources", dir.resolve("missing").toString()))
                .isEqualTo(Main.EXIT_FAILURE);
    }

    @Test
    void shouldRefuseAnUnknownLogFormat() {
        assertThat(run("--resources", dir.toString(), "--log-format", "xml"))
                .isEqualTo(Main.EXIT_USAGE);
    }
}
