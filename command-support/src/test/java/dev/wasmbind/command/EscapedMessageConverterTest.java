package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The converter inside a real logback configuration, as the operator's text pattern uses it. */
class EscapedMessageConverterTest {

    @Test
    void shouldKeepAForgedLineInsideTheOneLogLine() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        String xml =
                """
                <configuration>
                  <conversionRule conversionWord="emsg"
                      converterClass="dev.wasmbind.command.EscapedMessageConverter"/>
                  <appender name="list" class="ch.qos.logback.core.read.ListAppender"/>
                  <root level="INFO"><appender-ref ref="list"/></root>
                </configuration>
                """;
        configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        var layout = new ch.qos.logback.classic.PatternLayout();
        layout.setContext(context);
        // No converter registered here: %emsg comes from the conversionRule above.
        layout.setPattern("%level %logger - %emsg%n");
        layout.start();
        @SuppressWarnings("unchecked")
        ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> list =
                (ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                        context.getLogger("ROOT").getAppender("list");

        context.getLogger("dev.wasmbind.Test")
                .info(
                        "fetch of {} failed",
                        "http://h/m.wasm\n2024-01-01T00:00:00Z INFO  forged - all good\r\u001b[2J");

        String line = layout.doLayout(list.list.get(0));
        assertThat(line)
                .isEqualTo(
                        "INFO dev.wasmbind.Test - fetch of http://h/m.wasm\\n2024-01-01T00:00:00Z"
                                + " INFO  forged - all good\\r\\u001b[2J failed"
                                + System.lineSeparator());
        context.stop();
    }

    @Test
    void shouldLeaveOrdinaryTextAlone() {
        assertThat(EscapedMessageConverter.escape("wb-1/apps: Ready (sha256:ab)"))
                .isEqualTo("wb-1/apps: Ready (sha256:ab)");
    }
}
