package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ManifestVersionTest {

    @Command(name = "wasmbind-example", versionProvider = ManifestVersion.class)
    static final class Example implements Runnable {
        @CommandLine.Option(names = "--version", versionHelp = true)
        boolean version;

        @Override
        public void run() {}
    }

    @Test
    void shouldPrintTheCommandNameAndDevWhenRunFromClasses() {
        StringWriter out = new StringWriter();

        int exit = new CommandLine(new Example()).setOut(new PrintWriter(out)).execute("--version");

        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualToIgnoringNewLines("wasmbind-example dev");
    }

    @Test
    void shouldReadTheJarManifestOfAClassFromAJar() {
        // picocli's own jar carries an Implementation-Version.
        assertThat(ManifestVersion.of(CommandLine.class)).isEqualTo(CommandLine.VERSION);
    }
}
