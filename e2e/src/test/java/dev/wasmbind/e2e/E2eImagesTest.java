package dev.wasmbind.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class E2eImagesTest {

    @Test
    void shouldNameEveryMissingImageInTheSkipReason() {
        Properties properties = new Properties();
        properties.setProperty("wasmbind.images.operator", "reg.example/wasmbind-operator:1");

        E2eImages images = E2eImages.from(properties);

        assertThat(images.missingReason())
                .hasValueSatisfying(
                        reason ->
                                assertThat(reason)
                                        .contains(
                                                "wasmbind.images.injector",
                                                "wasmbind.images.sidecar",
                                                "docs/e2e.md")
                                        .doesNotContain("wasmbind.images.operator,"));
    }

    @Test
    void shouldTreatBlankPropertiesAsMissing() {
        Properties properties = new Properties();
        properties.setProperty("wasmbind.images.operator", "  ");
        properties.setProperty("wasmbind.images.injector", "i:1");
        properties.setProperty("wasmbind.images.sidecar", "s:1");

        assertThat(E2eImages.from(properties).missingReason())
                .hasValueSatisfying(reason -> assertThat(reason).contains("operator"));
    }

    @Test
    void shouldBeCompleteWithAllThreeImagesAndDefaultTheAppImage() {
        Properties properties = new Properties();
        properties.setProperty("wasmbind.images.operator", "o:1");
        properties.setProperty("wasmbind.images.injector", "i:1");
        properties.setProperty("wasmbind.images.sidecar", "s:1");
        properties.setProperty("wasmbind.images.archives", " /tmp/a.tar, ,/tmp/b.tar ");

        E2eImages images = E2eImages.from(properties);

        assertThat(images.missingReason()).isEmpty();
        assertThat(images.operator()).isEqualTo("o:1");
        assertThat(images.app()).isEqualTo(E2eImages.DEFAULT_APP_IMAGE);
        assertThat(images.archives()).containsExactly(Path.of("/tmp/a.tar"), Path.of("/tmp/b.tar"));
    }
}
