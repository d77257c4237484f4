package dev.wasmbind.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * How a flag's text becomes a value, and the placeholder {@code --help} shows for it. A converter
 * refuses text with an {@link IllegalArgumentException} that says what was wrong; the parser adds
 * the flag's name.
 *
 * @param <T> the value's type
 */
public final class FlagType<T> {

    /** Any text, as given. */
    public static final FlagType<String> TEXT = of("TEXT", text -> text);

    /** A whole number that fits an {@code int}. */
    public static final FlagType<Integer> INTEGER = of("N", FlagType::parseInteger);

    /** A whole number that fits a {@code long}. */
    public static final FlagType<Long> LONG = of("N", FlagType::parseLong);

    /** A file or folder path (not checked to exist). */
    public static final FlagType<Path> PATH = of("PATH", Path::of);

    /**
     * A switch: {@code --flag} alone means true; {@code --flag=true} or {@code --flag=false} (any
     * case) give it explicitly. The next argument is never taken as its value.
     */
    public static final FlagType<Boolean> BOOLEAN =
            new FlagType<>("true|false", FlagType::parseBoolean, "true", null);

    private final String label;
    private final Function<String, T> converter;
    private final String valueWhenOmitted;
    private final BinaryOperator<T> repeated;

    private FlagType(
            String label,
            Function<String, T> converter,
            String valueWhenOmitted,
            BinaryOperator<T> repeated) {
        this.label = label;
        this.converter = converter;
        this.valueWhenOmitted = valueWhenOmitted;
        this.repeated = repeated;
    }

    /**
     * A type that needs a value ({@code --flag=v} or {@code --flag v}).
     *
     * @param label the placeholder in {@code --help}, e.g. {@code DURATION}
     * @param converter text to value; throws {@link IllegalArgumentException} saying why not
     */
    public static <T> FlagType<T> of(String label, Function<String, T> converter) {
        return new FlagType<>(label, converter, null, null);
    }

    /**
     * A list written {@code --flag=a,b}; the flag may be repeated and the lists add up. Blank items
     * are dropped, each item is stripped and converted by {@code item}.
     */
    public static <T> FlagType<List<T>> commaSeparated(FlagType<T> item) {
        Function<String, List<T>> converter =
                text -> {
                    List<T> items = new ArrayList<>();
                    for (String piece : text.split(",")) {
                        if (!piece.isBlank()) {
                            items.add(item.convert(piece.strip()));
                        }
                    }
                    return List.copyOf(items);
                };
        BinaryOperator<List<T>> addUp =
                (earlier, later) -> {
                    List<T> all = new ArrayList<>(earlier);
                    all.addAll(later);
                    return List.copyOf(all);
                };
        return new FlagType<>(item.label + ",...", converter, null, addUp);
    }

    T convert(String text) {
        return converter.apply(text);
    }

    String label() {
        return label;
    }

    /** True for a switch, which needs no value. */
    boolean isSwitch() {
        return valueWhenOmitted != null;
    }

    /** The text a switch given alone stands for. */
    String valueWhenOmitted() {
        return valueWhenOmitted;
    }

    /** A list type: repeated flags add up; other flags may be given once. */
    boolean isRepeatable() {
        return repeated != null;
    }

    /** The value of a repeated list flag: the earlier items, then the later ones. */
    T addUp(T earlier, T later) {
        return repeated.apply(earlier, later);
    }

    private static Integer parseInteger(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number", e);
        }
    }

    private static Long parseLong(String text) {
        try {
            return Long.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number", e);
        }
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }
}
