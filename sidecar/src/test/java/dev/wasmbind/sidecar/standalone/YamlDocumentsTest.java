package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlDocumentsTest {

    private static List<Object> read(String yaml) {
        List<Object> documents = new ArrayList<>();
        YamlDocuments.read(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), documents::add);
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static Object only(String yaml) {
        assertThat(read(yaml)).hasSize(1);
        return read(yaml).get(0);
    }

    @Test
    void shouldKeepEveryScalarAsTheTextItWasWrittenAs() {
        Object document =
                only(
                        """
                        sha256: 0123456789
                        version: 1.10
                        hex: 0x1F
                        strict: yes
                        raw: True
                        quoted: "5"
                        block: |
                          two
                          lines
                        """);

        assertThat(document)
                .isEqualTo(
                        Map.of(
                                "sha256", "0123456789",
                                "version", "1.10",
                                "hex", "0x1F",
                                "strict", "yes",
                                "raw", "True",
                                "quoted", "5",
                                "block", "two\nlines\n"));
    }

    @Test
    void shouldReadPlainNullsAsNullAndQuotedOnesAsText() {
        Object document = only("a: null\nb: ~\nc:\nd: NULL\ne: 'null'\nf: \"~\"\ng: !!str null\n");

        assertThat(map(document))
                .containsEntry("a", null)
                .containsEntry("b", null)
                .containsEntry("c", null)
                .containsEntry("d", null)
                .containsEntry("e", "null")
                .containsEntry("f", "~")
                .containsEntry("g", "null");
    }

    @Test
    void shouldReadTheDocumentsOfAStreamInOrderWithMapsInFileOrder() {
        List<Object> documents = read("z: 1\na: 2\n---\n---\n- x\n- [y, {k: v}]\n");

        assertThat(documents).hasSize(3);
        assertThat(map(documents.get(0)).keySet()).containsExactly("z", "a");
        assertThat(documents.get(1)).isNull();
        assertThat(documents.get(2)).isEqualTo(List.of("x", List.of("y", Map.of("k", "v"))));
    }

    @Test
    void shouldKeepTheLastValueOfARepeatedKeyAsJacksonDid() {
        assertThat(only("a: 1\na: 2\n")).isEqualTo(Map.of("a", "2"));
    }

    @Test
    void shouldShareAnchoredValuesThroughAliases() {
        Map<?, ?> document =
                (Map<?, ?>)
                        only("base: &limits {timeout: 2s}\nother: *limits\nname: &n x\ncopy: *n\n");

        assertThat(document.get("other")).isSameAs(document.get("base"));
        assertThat(document.get("copy")).isEqualTo("x");
    }

    @Test
    void shouldRefuseAnAliasToNoAnchorOrToTheCollectionItIsIn() {
        assertThatThrownBy(() -> read("a: *nothing\n"))
                .hasMessageContaining("alias *nothing refers to no anchor before it");
        assertThatThrownBy(() -> read("a: &self [1, *self]\n"))
                .hasMessageContaining("alias *self refers to no anchor before it");
    }

    @Test
    void shouldRefuseMoreAliasesToCollectionsThanTheLimit() {
        String aliases = String.join(", ", java.util.Collections.nCopies(51, "*l"));

        assertThatThrownBy(() -> read("l: &l [a]\nall: [" + aliases + "]\n"))
                .hasMessageContaining("more than 50 aliases to collections");
    }

    @Test
    void shouldRefuseNestingDeeperThanTheLimitWithoutOverflowingTheStack() {
        String fine = "[".repeat(YamlDocuments.MAX_DEPTH) + "]".repeat(YamlDocuments.MAX_DEPTH);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);

        assertThat(read(fine)).hasSize(1);
        assertThatThrownBy(() -> read(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nested deeper than 100 levels (line 1)");
    }

    @Test
    void shouldRefuseACollectionAsAKey() {
        assertThatThrownBy(() -> read("? [a, b]\n: c\n"))
                .hasMessageContaining("a mapping key must be a scalar, not a collection");
    }

    @Test
    void shouldHandOverTheDocumentsBeforeASyntaxError() {
        List<Object> documents = new ArrayList<>();

        assertThatThrownBy(
                        () ->
                                YamlDocuments.read(
                                        new ByteArrayInputStream(
                                                "a: 1\n---\nb: [unclosed\n"
                                                        .getBytes(StandardCharsets.UTF_8)),
                                        documents::add))
                .isInstanceOf(RuntimeException.class);
        assertThat(documents).isEqualTo(Arrays.asList(Map.of("a", "1")));
    }
}
