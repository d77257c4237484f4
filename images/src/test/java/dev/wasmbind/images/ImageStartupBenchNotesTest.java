package dev.wasmbind.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new image bench run rewrites the measured part of its page and keeps the reading notes. */
class ImageStartupBenchNotesTest {

    @TempDir Path dir;

    @Test
    void shouldKeepTheNotesFromTheirHeadingOn() throws Exception {
        Path page = dir.resolve("images.md");
        Files.writeString(
                page,
                "# Sizes\n\n| old | table |\n\n## Reading these figures\n\n- **Load.** why\n");

        assertThat(ImageStartupBenchIT.notesKeptFrom(page))
                .isEqualTo("\n## Reading these figures\n\n- **Load.** why\n");
    }

    @Test
    void shouldKeepNothingWhenThePageHasNoNotesOrIsMissing() throws Exception {
        Path page = dir.resolve("images.md");
        Files.writeString(page, "# Sizes\n\n| old | table |\n");

        assertThat(ImageStartupBenchIT.notesKeptFrom(page)).isEmpty();
        assertThat(ImageStartupBenchIT.notesKeptFrom(dir.resolve("missing.md"))).isEmpty();
    }
}
