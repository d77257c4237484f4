package dev.wasmbind.command;

import java.util.Map;

/**
 * The flags of one command line, each converted: given, else from the environment, else default.
 */
public final class FlagValues {

    /** What the command line asks for besides running. */
    enum Request {
        RUN,
        HELP,
        VERSION
    }

    private final Map<Flag<?>, Object> values;
    private final Request request;

    FlagValues(Map<Flag<?>, Object> values, Request request) {
        this.values = values;
        this.request = request;
    }

    /** The flag's value; null when it was not given and has no default. */
    @SuppressWarnings("unchecked") // values holds what flag's own type converted
    public <T> T get(Flag<T> flag) {
        if (!values.containsKey(flag)) {
            throw new IllegalArgumentException(flag.name() + " is not a flag of this command");
        }
        return (T) values.get(flag);
    }

    Request request() {
        return request;
    }
}
