package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class FlagDefaultsTest {

    @Command(name = "example")
    static final class Example {
        @Option(names = "--max-redirects")
        int maxRedirects;

        @Option(names = "--port")
        int port;

        @Option(names = "--cache-dir")
        String cacheDir;
    }

    private static Example parse(Map<String, String> environment, String... args) {
        Example example = new Example();
        new CommandLine(example)
                .setDefaultValueProvider(
                        new FlagDefaults(
                                "WASMBIND_",
                                Map.of("--max-redirects", "5", "--port", "8080"),
                                environment::get))
                .parseArgs(args);
        return example;
    }

    @Test
    void shouldTakeTheFlagThenItsEnvironmentVariableThenTheSettingsDefault() {
        Example example =
                parse(Map.of("WASMBIND_MAX_REDIRECTS", "2", "WASMBIND_PORT", "9"), "--port=1");

        assertThat(example.port).isEqualTo(1);
        assertThat(example.maxRedirects).isEqualTo(2);
        assertThat(parse(Map.of()).maxRedirects).isEqualTo(5);
        assertThat(parse(Map.of()).cacheDir).isNull();
    }

    @Test
    void shouldNameTheEnvironmentVariableAfterTheFlag() {
        assertThat(FlagDefaults.environmentVariable("WASMBIND_INJECTOR_", "--sidecar-cpu-limit"))
                .isEqualTo("WASMBIND_INJECTOR_SIDECAR_CPU_LIMIT");
    }
}
