package dev.wasmbind.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ManifestVersionTest {

    @Test
    void shouldSayDevWhenRunFromClasses() {
        assertThat(ManifestVersion.of(ManifestVersion.class)).isEqualTo("dev");
    }

    @Test
    void shouldReadTheJarManifestOfAClassFromAJar() {
        // slf4j-api's jar carries an Implementation-Version.
        assertThat(ManifestVersion.of(org.slf4j.Logger.class)).matches("\\d+\\.\\d+\\.\\d+");
    }
}
