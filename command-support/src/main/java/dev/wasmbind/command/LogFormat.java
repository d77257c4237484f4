package dev.wasmbind.command;

import java.util.Locale;

/** Log line formats: human-readable text, or one JSON object per line. */
public enum LogFormat {
    text,
    json;

    /** The format named {@code text}, whatever its case. */
    public static LogFormat parse(String text) {
        try {
            return valueOf(text.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "log format '" + text + "' is not one of text, json", e);
        }
    }
}
