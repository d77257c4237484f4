package dev.wasmbind.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.command.Command;
import dev.wasmbind.command.FlagValues;
import dev.wasmbind.command.UsageException;
import dev.wasmbind.module.source.FetchException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OperatorCommandTest {

    private static FlagValues parse(String... args) throws UsageException {
        return OperatorCommand.COMMAND.parse(args);
    }

    private static OperatorSettings settings(String... args) throws UsageException {
        return OperatorCommand.settings(parse(args));
    }

    /** Exit code and stderr of a run that must stop before connecting to a cluster. */
    private static String[] refused(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit =
                OperatorCommand.COMMAND.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        OperatorCommand::run);
        return new String[] {
            String.valueOf(exit),
            out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)
        };
    }

    @Test
    void shouldTurnFlagsIntoSettings() throws Exception {
        FlagValues flags =
                parse(
                        "--allow-cidrs=10.0.0.0/8,127.0.0.1/32",
                        "--deny-hosts=evil.example",
                        "--max-module-size=8Mi",
                        "--fetch-timeout=1m30s",
                        "--gc-grace",
                        "2h",
                        "--namespaces=a,b",
                        "--namespaces=c",
                        "--no-leader-election",
                        "--no-server-side-apply",
                        "--allow-file-urls");
        OperatorSettings settings = OperatorCommand.settings(flags);

        assertThat(settings.maxModuleBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(settings.fetchTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.gcGrace()).isEqualTo(Duration.ofHours(2));
        assertThat(settings.namespaces()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(settings.leaderElection()).isFalse();
        assertThat(settings.serverSideApply()).isFalse();
        assertThat(settings.allowFileUrls()).isTrue();
        settings.guard().check(URI.create("http://127.0.0.1:8080/m.wasm"));
        assertThatThrownBy(() -> settings.guard().check(URI.create("http://evil.example/")))
                .isInstanceOf(FetchException.class);
    }

    @Test
    void shouldParseTheFlagsTheChartPasses() throws Exception {
        // helm/wasmbind/templates/operator-deployment.yaml, with every optional line on.
        OperatorSettings settings =
                settings(
                        "--port=8080",
                        "--log-level=info",
                        "--log-format=json",
                        "--cache-dir=/var/cache/wasmbind",
                        "--cache-max-size=1Gi",
                        "--namespaces=team-a,team-b",
                        "--leader-election",
                        "--lease-name=wasmbind-operator",
                        "--max-module-size=64Mi",
                        "--fetch-timeout=30s",
                        "--allow-hosts=registry.local,*.internal",
                        "--deny-hosts=evil.example",
                        "--allow-cidrs=10.1.0.0/16",
                        "--deny-cidrs=169.254.0.0/16",
                        "--insecure-registries=registry.local:5000",
                        "--module-service-port=9443",
                        "--module-service-cert=/var/run/wasmbind/module-service-tls/tls.crt",
                        "--module-service-key=/var/run/wasmbind/module-service-tls/tls.key");

        assertThat(settings.cacheMaxBytes()).isEqualTo(1L << 30);
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.insecureRegistries()).containsExactly("registry.local:5000");
        assertThat(settings.moduleServiceSettings().orElseThrow().port()).isEqualTo(9443);
        assertThat(settings.moduleServiceSettings().orElseThrow().certificate())
                .isEqualTo(Path.of("/var/run/wasmbind/module-service-tls/tls.crt"));
    }

    @Test
    void shouldUseSafeDefaults() throws Exception {
        OperatorSettings settings = settings();

        assertThat(settings.allowFileUrls()).isFalse();
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.serverSideApply()).isTrue();
        assertThat(settings.maxModuleBytes()).isEqualTo(64L * 1024 * 1024);
        assertThatThrownBy(() -> settings.guard().check(URI.create("http://127.0.0.1/")))
                .hasMessageContaining("loopback");
    }

    @Test
    void shouldNameTheFlagOfABadValue() {
        assertThatThrownBy(() -> parse("--retry-max=soon"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("invalid value for --retry-max: 'soon' is not a duration");
        assertThatThrownBy(() -> parse("--max-module-size=big"))
                .hasMessage("invalid value for --max-module-size: 'big' is not a quantity");
        assertThatThrownBy(() -> parse("--deny-cidrs=10.0.0.0/99"))
                .hasMessageStartingWith("invalid value for --deny-cidrs:")
                .hasMessageContaining("prefix length");
    }

    @Test
    void shouldRefuseABadCommandLineWithUsageExitCodeBeforeConnecting() {
        String[] unknown = refused("--leader-elect");
        String[] halfModuleService = refused("--module-service-cert=/tls.crt");
        String[] threads = refused("--reconcile-threads=0");

        assertThat(unknown[0]).isEqualTo(String.valueOf(Command.EXIT_USAGE));
        assertThat(unknown[2]).startsWith("wasmbind-operator: unknown flag --leader-elect\n");
        assertThat(halfModuleService[0]).isEqualTo(String.valueOf(Command.EXIT_USAGE));
        assertThat(halfModuleService[2])
                .contains("give both --module-service-cert and --module-service-key, or neither");
        assertThat(threads[0]).isEqualTo(String.valueOf(Command.EXIT_USAGE));
        assertThat(threads[2]).contains("--reconcile-threads must be at least 1");
    }

    @Test
    void shouldListEveryFlagWithItsDefaultAndEnvironmentVariableInHelp() {
        String[] help = refused("--help");

        assertThat(help[0]).isEqualTo("0");
        assertThat(help[1])
                .startsWith("Usage: wasmbind-operator [--flag=value]...\n")
                .contains(
                        "  --fetch-timeout=DURATION\n"
                                + "      Time allowed for the response headers and again for the"
                                + " body.\n"
                                + "      Default: 1m. Env: WASMBIND_FETCH_TIMEOUT.\n")
                .contains("  --[no-]leader-election\n")
                .contains("  --[no-]server-side-apply\n")
                .contains("  --allow-cidrs=CIDR,...\n")
                .contains("Env: WASMBIND_MODULE_SERVICE_PORT.");
        for (String flag :
                new String[] {
                    "--namespaces",
                    "--cache-dir",
                    "--allow-file-urls",
                    "--allow-hosts",
                    "--deny-hosts",
                    "--deny-cidrs",
                    "--insecure-registries",
                    "--cache-max-size",
                    "--max-module-size",
                    "--connect-timeout",
                    "--max-redirects",
                    "--min-refresh-interval",
                    "--retry-initial",
                    "--retry-max",
                    "--gc-interval",
                    "--gc-grace",
                    "--reconcile-threads",
                    "--port",
                    "--bind-address",
                    "--leader-election-namespace",
                    "--lease-name",
                    "--log-format",
                    "--log-level",
                    "--module-service-cert",
                    "--module-service-key"
                }) {
            assertThat(help[1]).contains("  " + flag);
        }
        assertThat(refused("--version")[1]).isEqualTo("wasmbind-operator dev\n");
    }

    @Test
    void shouldTakeEveryDefaultFromTheSettingsRecord() throws Exception {
        // Environment variables would override them; no WASMBIND_* is set in the build.
        OperatorSettings parsed = settings();

        // NetworkGuard has no equals: compare everything else.
        assertThat(parsed).isEqualTo(OperatorSettings.defaults().withGuard(parsed.guard()));
    }
}
