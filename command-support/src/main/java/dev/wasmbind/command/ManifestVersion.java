package dev.wasmbind.command;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code --version}: the command's name and the {@code Implementation-Version} of the jar holding
 * the command class (the shade plugin writes the project version there); "dev" when run from
 * classes.
 */
public final class ManifestVersion implements IVersionProvider {

    static final String UNKNOWN = "dev";

    @Spec CommandSpec spec;

    /** The version of the jar that holds {@code type}. */
    public static String of(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? UNKNOWN : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {spec.name() + " " + of(spec.userObject().getClass())};
    }
}
