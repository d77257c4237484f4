package dev.wasmbind.injector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class InjectorCommandTest {

    /** A valid command line (the files need not exist to get past argument checks) plus more. */
    private static String[] validPlus(String option, String value) {
        return new String[] {
            "--sidecar-image", "i", "--tls-cert", "c", "--tls-key", "k", option, value
        };
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of(
                        new String[] {"--tls-cert", "c", "--tls-key", "k"},
                        "--sidecar-image (or WASMBIND_INJECTOR_SIDECAR_IMAGE) is required"),
                Arguments.of(
                        new String[] {"--sidecar-image", "i"},
                        "give --tls-cert and --tls-key, or --self-managed-tls"),
                Arguments.of(
                        new String[] {"--sidecar-image", "i", "--self-managed-tls"},
                        "--self-managed-tls needs --namespace (or POD_NAMESPACE)"),
                Arguments.of(
                        validPlus("--sidecar-memory-limit", "1GB"),
                        "'1GB' is not a Kubernetes quantity"),
                Arguments.of(
                        validPlus("--sidecar-log-level", "loud"), "log level 'loud' is not one of"),
                Arguments.of(
                        validPlus("--sidecar-image-pull-policy", "Sometimes"),
                        "image pull policy 'Sometimes' is not one of [Always, IfNotPresent, Never]"),
                Arguments.of(validPlus("--sidecar-run-as-user", "0"), "UID must be above 0"),
                Arguments.of(
                        validPlus("--sidecar-idle-timeout", "1 minute"),
                        "--sidecar-idle-timeout '1 minute' is not valid for the sidecar"),
                Arguments.of(validPlus("--token-expiration-seconds", "60"), "at least 600 seconds"),
                Arguments.of(
                        validPlus("--tls-reload-interval", "0s"),
                        "--tls-reload-interval must be positive"),
                Arguments.of(
                        validPlus("--log-format", "xml"), "--log-format must be text or json"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void shouldRefuseABadCommandLineWithUsageExitCodeAndReason(String[] args, String reason) {
        StringWriter err = new StringWriter();

        int exit =
                new CommandLine(new InjectorCommand()).setErr(new PrintWriter(err)).execute(args);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains(reason);
    }

    @Test
    void shouldExitWithOneWhenTheCertificateCannotBeLoaded() {
        int exit =
                new CommandLine(new InjectorCommand())
                        .execute(
                                "--sidecar-image=i",
                                "--host=127.0.0.1",
                                "--port=0",
                                "--tls-cert=/nonexistent/tls.crt",
                                "--tls-key=/nonexistent/tls.key");

        assertThat(exit).isEqualTo(1);
    }
}
