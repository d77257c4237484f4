package dev.wasmbind.injector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.command.Command;
import dev.wasmbind.injector.patch.SidecarConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InjectorCommandTest {

    /** Exit code and what went to stdout and stderr. */
    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit =
                InjectorCommand.COMMAND.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        InjectorCommand::run);
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

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
                        validPlus("--log-format", "xml"),
                        "invalid value for --log-format: log format 'xml' is not one of text, json"),
                Arguments.of(
                        validPlus("--token-expiration-seconds", "an hour"),
                        "invalid value for --token-expiration-seconds: 'an hour' is not a whole"
                                + " number"),
                Arguments.of(
                        validPlus("--self-managed-tls=maybe", "--port=1"),
                        "invalid value for --self-managed-tls: 'maybe' is not true or false"),
                Arguments.of(validPlus("--sidecar-imag", "i"), "unknown flag --sidecar-imag"),
                Arguments.of(
                        new String[] {"--sidecar-image", "--tls-cert", "c"},
                        "--sidecar-image needs a value: --sidecar-image=IMAGE"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void shouldRefuseABadCommandLineWithUsageExitCodeAndReason(String[] args, String reason) {
        Run run = run(args);

        assertThat(run.exit()).isEqualTo(Command.EXIT_USAGE);
        assertThat(run.err()).contains(reason);
    }

    @Test
    void shouldExitWithOneWhenTheCertificateCannotBeLoaded() {
        Run run =
                run(
                        "--sidecar-image=i",
                        "--host=127.0.0.1",
                        "--port=0",
                        "--tls-cert=/nonexistent/tls.crt",
                        "--tls-key=/nonexistent/tls.key");

        assertThat(run.exit()).isEqualTo(Command.EXIT_FAILURE);
    }

    @Test
    void shouldParseTheFlagsTheChartPasses() throws Exception {
        // helm/wasmbind/templates/injector-deployment.yaml in self-managed mode, empty limits.
        InjectorSettings settings =
                InjectorCommand.settings(
                        InjectorCommand.COMMAND.parse(
                                "--port=9443",
                                "--log-level=info",
                                "--log-format=json",
                                "--self-managed-tls",
                                "--tls-secret=wasmbind-injector-tls",
                                "--service-name=wasmbind-injector",
                                "--webhook-configuration=wasmbind-injector",
                                "--namespace=wasmbind",
                                "--sidecar-image=example/wasmbind-sidecar:0.1.0",
                                "--sidecar-image-pull-policy=IfNotPresent",
                                "--native-sidecar",
                                "--sidecar-log-level=info",
                                "--sidecar-cpu-request=10m",
                                "--sidecar-memory-request=64Mi",
                                "--sidecar-cpu-limit=",
                                "--sidecar-memory-limit=",
                                "--sidecar-run-as-user=65532",
                                "--token-expiration-seconds=3600",
                                "--sidecar-idle-timeout=",
                                "--sidecar-header-timeout=",
                                "--sidecar-max-header-bytes=",
                                "--sidecar-request-bytes-in-flight=64Mi",
                                "--module-service=https://wasmbind-operator.wasmbind.svc:9443"));

        assertThat(settings.port()).isEqualTo(9443);
        assertThat(settings.selfManagedTls()).isTrue();
        assertThat(settings.namespace()).isEqualTo("wasmbind");
        assertThat(settings.sidecar().nativeSidecar()).isTrue();
        assertThat(settings.sidecar().image()).isEqualTo("example/wasmbind-sidecar:0.1.0");
        assertThat(settings.sidecar().cpuLimit()).isNull();
        assertThat(settings.sidecar().runAsUser()).isEqualTo(65532);
        assertThat(settings.sidecar().serverLimitArgs())
                .containsExactly("--request-bytes-in-flight", "64Mi");
    }

    @Test
    void shouldTakeEveryDefaultFromTheSettingsRecords() throws Exception {
        InjectorSettings parsed =
                InjectorCommand.settings(InjectorCommand.COMMAND.parse("--sidecar-image=i"));

        assertThat(parsed.withSidecar(null)).isEqualTo(InjectorSettings.defaults());
        assertThat(parsed.sidecar().nativeSidecar()).isFalse();
        assertThat(parsed.sidecar().runAsUser())
                .isEqualTo(SidecarConfig.builder().image("i").build().runAsUser());
    }

    @Test
    void shouldListEveryFlagWithItsEnvironmentVariableInHelp() {
        Run help = run("-h");

        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .startsWith("Usage: wasmbind-injector [--flag=value]...\n")
                .contains("  --sidecar-image=IMAGE\n")
                .contains("Env: WASMBIND_INJECTOR_SIDECAR_IMAGE.")
                .contains("  --native-sidecar\n")
                .contains("  --self-managed-tls\n");
        assertThat(run("--version").out()).isEqualTo("wasmbind-injector dev\n");
    }
}
