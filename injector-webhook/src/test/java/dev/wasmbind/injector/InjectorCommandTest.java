package dev.wasmbind.injector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class InjectorCommandTest {

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of(
                        new String[] {"--tls-cert", "c", "--tls-key", "k"},
                        2,
                        "--sidecar-image (or WASMBIND_INJECTOR_SIDECAR_IMAGE) is required"),
                Arguments.of(
                        new String[] {"--sidecar-image", "i"},
                        2,
                        "give --tls-cert and --tls-key, or --self-managed-tls"),
                Arguments.of(
                        new String[] {
                            "--sidecar-image",
                            "i",
                            "--tls-cert",
                            "c",
                            "--tls-key",
                            "k",
                            "--sidecar-memory-limit",
                            "1GB"
                        },
                        2,
                        "'1GB' is not a Kubernetes quantity"),
                Arguments.of(
                        new String[] {
                            "--sidecar-image",
                            "i",
                            "--tls-cert",
                            "c",
                            "--tls-key",
                            "k",
                            "--sidecar-log-level",
                            "loud"
                        },
                        2,
                        "log level 'loud' is not one of"),
                Arguments.of(
                        new String[] {
                            "--sidecar-image",
                            "i",
                            "--tls-cert",
                            "c",
                            "--tls-key",
                            "k",
                            "--tls-reload-interval",
                            "0s"
                        },
                        2,
                        "--tls-reload-interval must be positive"),
                Arguments.of(
                        new String[] {
                            "--sidecar-image",
                            "i",
                            "--tls-cert",
                            "c",
                            "--tls-key",
                            "k",
                            "--log-format",
                            "xml"
                        },
                        2,
                        "--log-format must be text or json"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void shouldRefuseABadCommandLineWithUsageExitCodeAndReason(
            String[] args, int exitCode, String reason) {
        StringWriter err = new StringWriter();

        int exit =
                new CommandLine(new InjectorCommand()).setErr(new PrintWriter(err)).execute(args);

        assertThat(exit).isEqualTo(exitCode);
        assertThat(err.toString()).contains(reason);
    }

    @ParameterizedTest
    @MethodSource("unstartable")
    void shouldExitWithOneWhenTheCertificateCannotBeLoaded(String[] args) {
        int exit = new CommandLine(new InjectorCommand()).execute(args);

        assertThat(exit).isEqualTo(1);
    }

    static Stream<Arguments> unstartable() {
        return Stream.of(
                Arguments.of(
                        (Object)
                                new String[] {
                                    "--sidecar-image",
                                    "i",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--tls-cert",
                                    "/nonexistent/tls.crt",
                                    "--tls-key",
                                    "/nonexistent/tls.key"
                                }));
    }
}
