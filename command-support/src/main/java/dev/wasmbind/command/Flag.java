package dev.wasmbind.command;

import java.util.Locale;

/**
 * One flag of a binary, declared once: name, type, description and default. {@link Command} parses
 * it and generates {@code --help} from it; {@link FlagValues#get} reads its value.
 *
 * @param <T> the value's type
 */
public final class Flag<T> {

    private final String name;
    private final FlagType<T> type;
    private final String label;
    private final String description;
    private final String defaultValue;
    private final boolean negatable;

    private Flag(Builder<T> b) {
        this.name = b.name;
        this.type = b.type;
        this.label = b.label == null ? b.type.label() : b.label;
        this.description = b.description;
        this.negatable = b.negatable;
        if (b.defaultValue != null) {
            this.defaultValue = b.defaultValue;
        } else if (b.type.isSwitch()) {
            this.defaultValue = "false";
        } else if (b.type.isRepeatable()) {
            this.defaultValue = "";
        } else {
            this.defaultValue = null;
        }
    }

    /**
     * @param name the long name, e.g. {@code --http-port}
     * @param type how its text becomes a value
     */
    public static <T> Builder<T> builder(String name, FlagType<T> type) {
        return new Builder<>(name, type);
    }

    /** The long name, e.g. {@code --http-port}. */
    public String name() {
        return name;
    }

    FlagType<T> type() {
        return type;
    }

    String label() {
        return label;
    }

    String description() {
        return description;
    }

    /** The default as text, converted like a given value; null when there is none. */
    String defaultValue() {
        return defaultValue;
    }

    /** The {@code --no-...} name of a negatable switch; null for other flags. */
    String negatedName() {
        return negatable ? "--no-" + name.substring(2) : null;
    }

    /**
     * The environment variable read when the flag is not given: {@code --max-redirects} →
     * PREFIX_MAX_REDIRECTS.
     */
    String environmentVariable(String prefix) {
        return prefix + name.substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Builds a {@link Flag}; the description is required. */
    public static final class Builder<T> {
        private final String name;
        private final FlagType<T> type;
        private String label;
        private String description;
        private String defaultValue;
        private boolean negatable;

        private Builder(String name, FlagType<T> type) {
            if (!name.matches("--[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException("a flag is named --lower-case-words: " + name);
            }
            this.name = name;
            this.type = type;
        }

        /** The placeholder in {@code --help} ({@code --modules-dir=DIR}); default: the type's. */
        public Builder<T> label(String label) {
            this.label = label;
            return this;
        }

        /**
         * One or more sentences for {@code --help}; the default and environment variable are added.
         */
        public Builder<T> description(String description) {
            this.description = description;
            return this;
        }

        /**
         * The value, as text, when the flag is not given (nor its environment variable); it is
         * converted like a given value and shown in {@code --help}. Switches default to false,
         * lists to empty, other flags to none (null).
         */
        public Builder<T> defaultValue(String text) {
            this.defaultValue = text;
            return this;
        }

        /** A switch that also answers to {@code --no-<name>}, which sets it to false. */
        public Builder<T> negatable() {
            if (!type.isSwitch()) {
                throw new IllegalArgumentException(
                        name + ": only a true/false switch is negatable");
            }
            this.negatable = true;
            return this;
        }

        public Flag<T> build() {
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException(name + " needs a description for --help");
            }
            return new Flag<>(this);
        }
    }
}
