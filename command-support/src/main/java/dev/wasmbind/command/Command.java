package dev.wasmbind.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A binary's command line: its flags, {@code --help} (generated from the flags) and {@code
 * --version}. Flags are written {@code --name=value} or {@code --name value}; a flag not given
 * reads its environment variable when the command has a prefix ({@code --fetch-timeout} reads
 * {@code PREFIX_FETCH_TIMEOUT}), else its default. Hand-written rather than picocli: see
 * docs/decisions.md ("A hand-written flag parser").
 */
public final class Command {

    /** Ran and stopped normally, or printed help or the version. */
    public static final int EXIT_OK = 0;

    /** Could not start or failed while running. */
    public static final int EXIT_FAILURE = 1;

    /** The command line is wrong: unknown flag, missing or bad value, contradicting flags. */
    public static final int EXIT_USAGE = 2;

    private static final int HELP_WIDTH = 80;
    private static final String HELP_INDENT = "      ";

    /** What a binary does with its parsed flags. */
    @FunctionalInterface
    public interface Action {
        /**
         * @return the exit code
         * @throws UsageException when the flags do not fit together (exit {@link #EXIT_USAGE})
         */
        int run(FlagValues flags) throws Exception;
    }

    private final String name;
    private final String description;
    private final String version;
    private final String environmentPrefix;
    private final Function<String, String> environment;
    private final List<Flag<?>> flags;
    private final Map<String, Flag<?>> flagsByName;

    private Command(Builder b) {
        this.name = b.name;
        this.description = b.description;
        this.version = b.version;
        this.environmentPrefix = b.environmentPrefix;
        this.environment = b.environment;
        this.flags = List.copyOf(b.flags);
        this.flagsByName = new HashMap<>();
        for (Flag<?> flag : flags) {
            addName(flag.name(), flag);
            if (flag.negatedName() != null) {
                addName(flag.negatedName(), flag);
            }
        }
    }

    private void addName(String flagName, Flag<?> flag) {
        if (flagsByName.put(flagName, flag) != null || isHelpOrVersion(flagName)) {
            throw new IllegalArgumentException(name + " declares " + flagName + " twice");
        }
    }

    /**
     * @param name the binary's name, e.g. {@code wasmbind-sidecar}
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Parses {@code args}, then prints help or the version or runs {@code action}; prints usage
     * errors (with a pointer to {@code --help}) and failures to {@code err}.
     *
     * @return the exit code: the action's, {@link #EXIT_OK} after help or version, {@link
     *     #EXIT_USAGE} for a bad command line, {@link #EXIT_FAILURE} when the action throws
     */
    public int execute(String[] args, PrintStream out, PrintStream err, Action action) {
        try {
            FlagValues values = parse(args);
            return switch (values.request()) {
                case HELP -> {
                    out.print(help());
                    yield EXIT_OK;
                }
                case VERSION -> {
                    out.println(name + " " + version);
                    yield EXIT_OK;
                }
                case RUN -> action.run(values);
            };
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage());
            err.println("Run '" + name + " --help' for its flags.");
            return EXIT_USAGE;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err.println(name + ": " + e);
            e.printStackTrace(err);
            return EXIT_FAILURE;
        }
    }

    /**
     * The flags of {@code args}: given, else from the environment, else default. {@code -h}/{@code
     * --help} or {@code -V}/{@code --version} stop parsing and ask for help or the version.
     *
     * @throws UsageException for an unknown flag, a missing or bad value, or a flag given twice
     */
    public FlagValues parse(String... args) throws UsageException {
        Map<Flag<?>, Object> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return new FlagValues(Map.of(), FlagValues.Request.HELP);
            }
            if (arg.equals("-V") || arg.equals("--version")) {
                return new FlagValues(Map.of(), FlagValues.Request.VERSION);
            }
            if (!arg.startsWith("--")) {
                throw new UsageException(
                        "unexpected argument '" + arg + "': " + name + " takes only --flags");
            }
            int equals = arg.indexOf('=');
            String flagName = equals < 0 ? arg : arg.substring(0, equals);
            String attached = equals < 0 ? null : arg.substring(equals + 1);
            Flag<?> flag = flagsByName.get(flagName);
            if (flag == null) {
                throw new UsageException("unknown flag " + flagName);
            }
            String text;
            if (flagName.equals(flag.negatedName())) {
                if (attached != null) {
                    throw new UsageException(flagName + " takes no value");
                }
                text = "false";
            } else if (attached != null) {
                text = attached;
            } else if (flag.type().isSwitch()) {
                text = flag.type().valueWhenOmitted();
            } else if (i + 1 < args.length && !isFlag(args[i + 1])) {
                text = args[++i];
            } else {
                throw new UsageException(
                        flagName + " needs a value: " + flag.name() + "=" + flag.label());
            }
            record(given, flag, text);
        }
        Map<Flag<?>, Object> values = new HashMap<>();
        for (Flag<?> flag : flags) {
            values.put(flag, given.containsKey(flag) ? given.get(flag) : notGiven(flag));
        }
        return new FlagValues(values, FlagValues.Request.RUN);
    }

    private static <T> void record(Map<Flag<?>, Object> given, Flag<T> flag, String text)
            throws UsageException {
        T value = convert(flag, text, "");
        if (given.containsKey(flag)) {
            if (!flag.type().isRepeatable()) {
                throw new UsageException(flag.name() + " is given twice");
            }
            @SuppressWarnings("unchecked") // put below with the same flag
            T earlier = (T) given.get(flag);
            value = flag.type().addUp(earlier, value);
        }
        given.put(flag, value);
    }

    /** The environment variable's value, else the default's; null with neither. */
    private <T> T notGiven(Flag<T> flag) throws UsageException {
        if (environmentPrefix != null) {
            String variable = flag.environmentVariable(environmentPrefix);
            String fromEnvironment = environment.apply(variable);
            if (fromEnvironment != null) {
                return convert(flag, fromEnvironment, " (from " + variable + ")");
            }
        }
        return flag.defaultValue() == null
                ? null
                : convert(flag, flag.defaultValue(), " (its default)");
    }

    private static <T> T convert(Flag<T> flag, String text, String source) throws UsageException {
        try {
            return flag.type().convert(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "invalid value for " + flag.name() + source + ": " + e.getMessage(), e);
        }
    }

    /** An argument that is a flag of this command, so not the value of the one before it. */
    private boolean isFlag(String arg) {
        int equals = arg.indexOf('=');
        String flagName = equals < 0 ? arg : arg.substring(0, equals);
        return isHelpOrVersion(flagName) || flagsByName.containsKey(flagName);
    }

    private static boolean isHelpOrVersion(String arg) {
        return arg.equals("-h")
                || arg.equals("--help")
                || arg.equals("-V")
                || arg.equals("--version");
    }

    /** {@code --help}: what the command does, then every flag with its description and default. */
    public String help() {
        StringBuilder help = new StringBuilder();
        help.append("Usage: ").append(name).append(" [--flag=value]...\n");
        wrap(help, description, "");
        help.append("\nFlags (--flag=value or --flag value):\n");
        for (Flag<?> flag : flags) {
            help.append("  ").append(synopsis(flag)).append('\n');
            wrap(help, flag.description(), HELP_INDENT);
            List<String> whereFrom = new ArrayList<>();
            if (flag.defaultValue() != null && !flag.defaultValue().isEmpty()) {
                whereFrom.add("Default: " + flag.defaultValue() + ".");
            }
            if (environmentPrefix != null) {
                whereFrom.add("Env: " + flag.environmentVariable(environmentPrefix) + ".");
            }
            if (!whereFrom.isEmpty()) {
                wrap(help, String.join(" ", whereFrom), HELP_INDENT);
            }
        }
        help.append("  -h, --help\n");
        wrap(help, "Show this help and exit.", HELP_INDENT);
        help.append("  -V, --version\n");
        wrap(help, "Print the version and exit.", HELP_INDENT);
        return help.toString();
    }

    private static String synopsis(Flag<?> flag) {
        if (flag.negatedName() != null) {
            return "--[no-]" + flag.name().substring(2);
        }
        if (flag.type().isSwitch()) {
            return flag.name();
        }
        return flag.name() + "=" + flag.label();
    }

    /** Appends {@code text} in lines of at most {@link #HELP_WIDTH}, each after {@code indent}. */
    private static void wrap(StringBuilder out, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" +")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > HELP_WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line).append('\n');
    }

    /** Builds a {@link Command}; the description and version are required. */
    public static final class Builder {
        private final String name;
        private String description;
        private String version;
        private String environmentPrefix;
        private Function<String, String> environment = System::getenv;
        private final List<Flag<?>> flags = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** What the binary does, the first lines of {@code --help}. */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** What {@code --version} prints after the name, e.g. {@link ManifestVersion#of}. */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /**
         * Flags not given are read from environment variables named {@code prefix} + the flag's
         * name in upper case with underscores: {@code WASMBIND_} reads {@code --cache-dir} from
         * {@code WASMBIND_CACHE_DIR}. Without a prefix no environment variable is read.
         */
        public Builder environmentPrefix(String prefix) {
            this.environmentPrefix = prefix;
            return this;
        }

        /** Where environment variables are looked up; {@link System#getenv} unless a test says. */
        public Builder environment(Function<String, String> environment) {
            this.environment = environment;
            return this;
        }

        /** The flags, in the order {@code --help} lists them. */
        public Builder flags(Flag<?>... flags) {
            this.flags.addAll(List.of(flags));
            return this;
        }

        public Command build() {
            if (description == null || version == null) {
                throw new IllegalArgumentException(name + " needs a description and a version");
            }
            return new Command(this);
        }
    }
}
