package dev.wasmbind.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The container images the chart test installs, from system properties {@code wasmbind.images.*}.
 * No image can be built or pulled on every machine, so the test that needs them is skipped with
 * {@link #missingReason()} when they are not given.
 */
final class E2eImages {

    static final String PREFIX = "wasmbind.images.";
    static final String DEFAULT_APP_IMAGE = "busybox:1.36.1";

    private final String operator;
    private final String injector;
    private final String sidecar;
    private final String app;
    private final List<Path> archives;

    private E2eImages(Properties properties) {
        this.operator = blankToNull(properties.getProperty(PREFIX + "operator"));
        this.injector = blankToNull(properties.getProperty(PREFIX + "injector"));
        this.sidecar = blankToNull(properties.getProperty(PREFIX + "sidecar"));
        String appImage = blankToNull(properties.getProperty(PREFIX + "app"));
        this.app = appImage == null ? DEFAULT_APP_IMAGE : appImage;
        String archiveList = properties.getProperty(PREFIX + "archives", "");
        this.archives =
                Arrays.stream(archiveList.split(","))
                        .map(String::trim)
                        .filter(item -> !item.isEmpty())
                        .map(Path::of)
                        .toList();
    }

    static E2eImages from(Properties properties) {
        return new E2eImages(properties);
    }

    static E2eImages fromSystemProperties() {
        return from(System.getProperties());
    }

    /** Why the chart test cannot run, naming the missing properties; empty when it can. */
    Optional<String> missingReason() {
        List<String> missing = new ArrayList<>();
        if (operator == null) missing.add(PREFIX + "operator");
        if (injector == null) missing.add(PREFIX + "injector");
        if (sidecar == null) missing.add(PREFIX + "sidecar");
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                "no wasmbind images given: set "
                        + String.join(", ", missing)
                        + " (and optionally "
                        + PREFIX
                        + "archives) to install the chart, see docs/e2e.md");
    }

    String operator() {
        return operator;
    }

    String injector() {
        return injector;
    }

    String sidecar() {
        return sidecar;
    }

    /** The image of the demo application container the sidecar is injected next to. */
    String app() {
        return app;
    }

    /** Image tarballs to import into k3s's containerd, for images no registry serves. */
    List<Path> archives() {
        return archives;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
