package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private final PrintStream stdout = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restoreStdout() {
        System.setOut(stdout);
        Logging.configure(LogLevel.warn, LogFormat.text);
    }

    private String logged(LogLevel level, LogFormat format, Runnable logging) {
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging.configure(level, format);
        logging.run();
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteTextLinesWithTheKeyValuePairs() {
        String out =
                logged(
                        LogLevel.info,
                        LogFormat.text,
                        () -> {
                            LoggerFactory.getLogger("dev.wasmbind.Example")
                                    .atInfo()
                                    .addKeyValue("port", 3500)
                                    .log("ready");
                            LoggerFactory.getLogger("dev.wasmbind.Example").info("plain");
                        });

        assertThat(out)
                .containsPattern(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[.+]"
                                + " dev.wasmbind.Example - ready port=\"?3500\"?\\R")
                .containsPattern(" - plain\\R");
    }

    @Test
    void shouldEscapeExceptionMessagesInsideStackTraces() {
        String forged = "\n2026-01-01T00:00:00.000Z INFO  [main] dev.wasmbind.Fake - forged";
        var cause = new IllegalStateException("cause" + forged);
        var thrown = new RuntimeException("outer" + forged, cause);
        thrown.addSuppressed(new IllegalArgumentException("suppressed\r" + forged));

        String out =
                logged(
                        LogLevel.info,
                        LogFormat.text,
                        () ->
                                LoggerFactory.getLogger("dev.wasmbind.Example")
                                        .error("failed", thrown));

        // The trace keeps a line per frame; no line starts the way a log line does, except the
        // one logged.
        assertThat(out.lines().filter(line -> line.matches("^\\d{4}-.*")))
                .singleElement()
                .satisfies(line -> assertThat(line).endsWith(" - failed"));
        assertThat(out)
                .contains("java.lang.RuntimeException: outer\\n2026-01-01T00:00:00.000Z INFO")
                .contains("Caused by: java.lang.IllegalStateException: cause\\n2026-")
                .contains("Suppressed: java.lang.IllegalArgumentException: suppressed\\r\\n2026-")
                .containsPattern("\\R\\tat dev\\.wasmbind\\.command\\.LoggingTest\\.");
    }

    @Test
    void shouldWriteOneJsonObjectPerLine() {
        String out =
                logged(
                        LogLevel.info,
                        LogFormat.json,
                        () ->
                                LoggerFactory.getLogger("dev.wasmbind.Example")
                                        .atWarn()
                                        .addKeyValue("binding", "hello")
                                        .log("slow {}", "call"));

        assertThat(out.lines())
                .singleElement()
                .satisfies(
                        line ->
                                assertThat(line)
                                        .startsWith("{")
                                        .endsWith("}")
                                        .contains("\"level\":\"WARN\"")
                                        .contains("\"loggerName\":\"dev.wasmbind.Example\"")
                                        .contains("\"formattedMessage\":\"slow call\"")
                                        .contains("hello")
                                        .doesNotContain("\"sequenceNumber\""));
    }

    @Test
    void shouldKeepNoisyLibrariesQuietButNeverLouderThanAsked() {
        String out =
                logged(
                        LogLevel.debug,
                        LogFormat.text,
                        () -> {
                            LoggerFactory.getLogger("io.netty.buffer").info("netty chatter");
                            LoggerFactory.getLogger("io.vertx.core").info("vertx chatter");
                            LoggerFactory.getLogger("dev.wasmbind.Example").debug("ours");
                        });

        assertThat(out).contains("ours").doesNotContain("chatter");

        captured.reset();
        String quiet =
                logged(
                        LogLevel.error,
                        LogFormat.text,
                        () -> LoggerFactory.getLogger("io.netty.buffer").warn("netty warning"));
        assertThat(quiet).doesNotContain("netty warning");
    }

    @Test
    void shouldParseLevelsAndFormatsInAnyCase() {
        assertThat(LogLevel.parse("INFO")).isEqualTo(LogLevel.info);
        assertThat(LogFormat.parse("Json")).isEqualTo(LogFormat.json);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogFormat.parse("xml"))
                .hasMessage("log format 'xml' is not one of text, json");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogLevel.parse("loud"))
                .hasMessageContaining("'loud' is not one of");
    }
}
