package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.ErrorStatus;
import ch.qos.logback.core.status.InfoStatus;
import ch.qos.logback.core.status.WarnStatus;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LoggingConfiguratorTest {

    @Test
    void shouldBeTheConfiguratorLogbackFindsAtItsStart() {
        assertThat(ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream())
                .extracting(provider -> provider.type().getName())
                .containsExactly(LoggingConfigurator.class.getName());
    }

    @Test
    void shouldSetUpOurTextFormatAtInfoInsteadOfLogbacksDefault() {
        var context = new LoggerContext();
        var configurator = new LoggingConfigurator();
        configurator.setContext(context);

        assertThat(configurator.configure(context))
                .isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        var appender = (ConsoleAppender<?>) root.getAppender("console");
        var layout = (PatternLayout) ((LayoutWrappingEncoder<?>) appender.getEncoder()).getLayout();
        assertThat(layout.getPattern()).isEqualTo(Logging.TEXT_PATTERN);
        assertThat(context.getStatusManager().getCopyOfStatusListenerList())
                .anyMatch(listener -> listener instanceof LoggingConfigurator.WarningsToStderr);
    }

    @Test
    void shouldReportLogbacksWarningsAndErrorsButNotItsInformation() {
        var context = new LoggerContext();
        var printed = new java.io.ByteArrayOutputStream();
        var warnings =
                new LoggingConfigurator.WarningsToStderr(
                        new java.io.PrintStream(
                                printed, true, java.nio.charset.StandardCharsets.UTF_8));
        context.getStatusManager().add(warnings);

        context.getStatusManager().add(new InfoStatus("all is well", this));
        context.getStatusManager().add(new WarnStatus("appender broken", this));
        context.getStatusManager()
                .add(new ErrorStatus("cannot write", this, new IllegalStateException("disk full")));

        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("all is well")
                .contains("logback: WARN in ")
                .contains("appender broken")
                .contains("cannot write")
                .contains("java.lang.IllegalStateException: disk full");
    }

    @Test
    void shouldLeaveTheConfigurationToAConfigurationFileNamedOnTheCommandLine() {
        var context = new LoggerContext();
        var configurator = new LoggingConfigurator();
        configurator.setContext(context);
        System.setProperty("logback.configurationFile", "elsewhere.xml");
        try {
            assertThat(configurator.configure(context))
                    .isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(
                            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                                    .iteratorForAppenders()
                                    .hasNext())
                    .isFalse();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }
}
