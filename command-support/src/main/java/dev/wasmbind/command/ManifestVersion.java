package dev.wasmbind.command;

/**
 * {@code --version}: the {@code Implementation-Version} of the jar holding a class (the shade
 * plugin writes the project version there); "dev" when run from classes.
 */
public final class ManifestVersion {

    static final String UNKNOWN = "dev";

    private ManifestVersion() {}

    /** The version of the jar that holds {@code type}. */
    public static String of(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? UNKNOWN : version;
    }
}
