package dev.wasmbind.command;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a flag's value comes from when it is not on the command line: its environment variable
 * ({@code --fetch-timeout} reads {@code PREFIX_FETCH_TIMEOUT}), else the default of the binary's
 * settings record, rendered as the flag's text. The record is the one place defaults are written;
 * picocli shows them as {@code ${DEFAULT-VALUE}} in {@code --help}.
 */
public class FlagDefaults implements IDefaultValueProvider {

    private final String envPrefix;
    private final Map<String, String> defaults;
    private final Function<String, String> environment;

    /**
     * @param envPrefix e.g. {@code WASMBIND_}; null when the binary reads no environment variables
     * @param defaults flag (e.g. {@code --port}) to its default text
     */
    protected FlagDefaults(String envPrefix, Map<String, String> defaults) {
        this(envPrefix, defaults, System::getenv);
    }

    FlagDefaults(
            String envPrefix, Map<String, String> defaults, Function<String, String> environment) {
        this.envPrefix = envPrefix;
        this.defaults = Map.copyOf(defaults);
        this.environment = environment;
    }

    /** The environment variable of {@code flag}: {@code --max-redirects} → PREFIX_MAX_REDIRECTS. */
    public static String environmentVariable(String envPrefix, String flag) {
        return envPrefix + flag.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument instanceof OptionSpec option)) {
            return null;
        }
        String flag = option.longestName();
        if (envPrefix != null) {
            String fromEnvironment = environment.apply(environmentVariable(envPrefix, flag));
            if (fromEnvironment != null) {
                return fromEnvironment;
            }
        }
        return defaults.get(flag);
    }
}
