package dev.wasmbind.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.source.FetchException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OperatorCommandTest {

    private static OperatorCommand parse(String... args) {
        OperatorCommand main = new OperatorCommand();
        new CommandLine(main).parseArgs(args);
        return main;
    }

    @Test
    void shouldTurnFlagsIntoSettings() throws Exception {
        OperatorCommand main =
                parse(
                        "--allow-cidrs=10.0.0.0/8,127.0.0.1/32",
                        "--deny-hosts=evil.example",
                        "--max-module-size=8Mi",
                        "--fetch-timeout=1m30s",
                        "--gc-grace=2h",
                        "--namespaces=a,b",
                        "--no-leader-election");
        OperatorSettings settings = main.settings();

        assertThat(settings.maxModuleBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(settings.fetchTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.gcGrace()).isEqualTo(Duration.ofHours(2));
        assertThat(main.namespaces).containsExactly("a", "b");
        assertThat(main.leaderElection).isFalse();
        settings.guard().check(URI.create("http://127.0.0.1:8080/m.wasm"));
        assertThatThrownBy(() -> settings.guard().check(URI.create("http://evil.example/")))
                .isInstanceOf(FetchException.class);
    }

    @Test
    void shouldUseSafeDefaults() {
        OperatorCommand main = parse();
        OperatorSettings settings = main.settings();

        assertThat(main.allowFileUrls).isFalse();
        assertThat(main.leaderElection).isTrue();
        assertThat(main.serverSideApply).isTrue();
        assertThat(settings.maxModuleBytes()).isEqualTo(64L * 1024 * 1024);
        assertThatThrownBy(() -> settings.guard().check(URI.create("http://127.0.0.1/")))
                .hasMessageContaining("loopback");
    }

    @Test
    void shouldNameTheFlagOfABadValue() {
        assertThatThrownBy(() -> parse("--retry-max=soon").settings())
                .hasMessageContaining("--retry-max");
        assertThatThrownBy(() -> parse("--max-module-size=big").settings())
                .hasMessageContaining("--max-module-size");
        assertThatThrownBy(() -> parse("--deny-cidrs=10.0.0.0/99").settings())
                .hasMessageContaining("prefix length");
    }

    @Test
    void shouldTakeEveryDefaultFromTheSettingsRecord() {
        // Environment variables would override them; no WASMBIND_* is set in the build.
        OperatorSettings parsed = parse().settings();

        // NetworkGuard has no equals: compare everything else.
        assertThat(parsed).isEqualTo(OperatorSettings.defaults().withGuard(parsed.guard()));
    }
}
