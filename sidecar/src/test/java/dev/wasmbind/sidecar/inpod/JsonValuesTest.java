package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

    private static Object read(String json) throws IOException {
        return JsonValues.read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadEveryJsonTypeIntoPlainValues() throws IOException {
        Object value =
                read(
                        "{\"s\":\"x\",\"i\":5,\"l\":99999999999,\"d\":1.50,\"t\":true,\"f\":false,"
                                + "\"n\":null,\"a\":[1,[]],\"o\":{\"k\":\"v\"}}");

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) value;
        assertThat(fields.keySet()).containsExactly("s", "i", "l", "d", "t", "f", "n", "a", "o");
        assertThat(fields.get("s")).isEqualTo("x");
        assertThat(fields.get("i")).isEqualTo(5);
        assertThat(fields.get("l")).isEqualTo(99_999_999_999L);
        assertThat(fields.get("d")).isEqualTo(new BigDecimal("1.50"));
        assertThat(fields.get("t")).isEqualTo(true);
        assertThat(fields.get("f")).isEqualTo(false);
        assertThat(fields.containsKey("n")).isTrue();
        assertThat(fields.get("n")).isNull();
        assertThat(fields.get("a")).isEqualTo(Arrays.asList(1, List.of()));
        assertThat(fields.get("o")).isEqualTo(Map.of("k", "v"));
    }

    @Test
    void shouldRefuseWhatIsNotExactlyOneJsonValue() {
        assertThatThrownBy(() -> read(""))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no content");
        assertThatThrownBy(() -> read("{} []")).hasMessageContaining("content after the value");
        assertThatThrownBy(() -> read("[1, 2")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read("{\"a\":}")).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseNestingBeyondJacksonCoresLimitWithoutOverflowingTheStack() {
        assertThatThrownBy(() -> read("[".repeat(100_000) + "]".repeat(100_000)))
                .isInstanceOf(IOException.class);
    }
}
