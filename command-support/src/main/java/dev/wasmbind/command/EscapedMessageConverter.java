package dev.wasmbind.command;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} for text logs with line breaks and other control characters escaped ({@code \n},
 * {@code \r}, {@code \t}, {@code \u001b}), so a name, URL or server answer inside a message cannot
 * start a forged log line or move the terminal cursor. {@link Logging} registers it as {@code
 * %emsg}; in a logback pattern:
 *
 * <pre>{@code
 * <conversionRule conversionWord="emsg"
 *     converterClass="dev.wasmbind.command.EscapedMessageConverter"/>
 * ... %emsg%n
 * }</pre>
 *
 * JSON logs need no such help: the encoder escapes strings.
 */
public final class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return escape(super.convert(event));
    }

    /** {@code text} with every ISO control character written as an escape sequence. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Controls, and the Unicode line and paragraph separators some viewers break on. */
    private static boolean needsEscape(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085';
    }
}
