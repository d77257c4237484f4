package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The one-pass transcoder against the two steps it replaces, {@code
 * GoJsonEncoder.encode(GoJsonDecoder.decode(json))} (whose parity with Go {@link GoJsonTest} pins):
 * the same bytes for every document, the same message for every malformed one.
 */
class GoJsonTranscoderTest {

    private static final String[] KEYS = {
        "a",
        "b",
        "A",
        "\\u0061",
        "<k>",
        "\u00e9",
        "\uff61",
        "\ud83d\ude00",
        "k\\n",
        "\\ud800",
        "",
        "\u2028",
        "z&"
    };

    private static final String[] SCALARS = {
        "0",
        "-0",
        "1",
        "100",
        "123456789012345",
        "1234567890123456",
        "12345678901234567890",
        "1.0",
        "1.50",
        "1e20",
        "1e21",
        "1E400",
        "-1.5e-10",
        "0.0000001",
        "5e-324",
        "true",
        "false",
        "null",
        "\"\"",
        "\"plain text\"",
        "\"<a href='x'>&</a>\"",
        "\"\\b\\f\\n\\r\\t\\u0001\\/\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800x\"",
        "\"\\udc00\\ud800\"",
        "\"h\u00e9llo \u4e16\u754c\"",
        "\"\u2028\u2029\"",
        "\"\\u2028\\\\\\\"\"",
        "\"\\u003c\\u00e9\\u0000\""
    };

    @Test
    void shouldWriteWhatDecodeThenEncodeWritesForRandomDocuments() {
        var random = new Random(12);
        for (int i = 0; i < 20_000; i++) {
            String json = document(random, 0);
            assertSame(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldFailAsDecodeFailsForDamagedDocuments() {
        var random = new Random(34);
        for (int i = 0; i < 20_000; i++) {
            byte[] json = document(random, 0).getBytes(StandardCharsets.UTF_8);
            if (json.length == 0) {
                continue;
            }
            switch (random.nextInt(4)) {
                case 0 -> json = java.util.Arrays.copyOf(json, random.nextInt(json.length));
                case 1 -> json[random.nextInt(json.length)] = (byte) random.nextInt(256);
                case 2 ->
                        json[random.nextInt(json.length)] =
                                (byte) "{}[],:\"\\ ".charAt(random.nextInt(9));
                default -> {
                    int at = random.nextInt(json.length);
                    json[at] = (byte) (0x80 + random.nextInt(0x80));
                }
            }
            assertSame(json);
        }
    }

    @Test
    void shouldSortKeysAndKeepTheLastOfDuplicatesInNestedObjects() throws GoJsonException {
        String json =
                "{\"b\":{\"y\":1,\"x\":[{\"q\":1,\"p\":2,\"q\":3}]},\"a\":2,\"b\":{\"z\":0,\"z\":4}}";

        assertThat(new String(GoJsonTranscoder.transcode(bytes(json)), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":2,\"b\":{\"z\":4}}");
        assertSame(bytes(json));
        assertSame(bytes("[{\"y\":1,\"x\":[{\"q\":1,\"p\":2,\"q\":3}]},{\"b\":1,\"a\":{}}]"));
    }

    @Test
    void shouldReadTenThousandLevelsOnASmallStack() throws Exception {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String tooDeep = "[".repeat(10_001) + "]".repeat(10_001);
        var result = new AtomicReference<Object>();
        // 256 KiB: recursing once per level would overflow it long before 10000 levels.
        Thread small =
                new Thread(
                        null,
                        () -> {
                            try {
                                result.set(GoJsonTranscoder.transcode(bytes(deep)));
                                GoJsonTranscoder.transcode(bytes(tooDeep));
                            } catch (Throwable e) {
                                result.set(result.get() instanceof byte[] ? e : e.toString());
                            }
                        },
                        "small-stack",
                        256 * 1024);
        small.start();
        small.join();

        assertThat(result.get())
                .isInstanceOf(GoJsonException.class)
                .hasFieldOrPropertyWithValue("message", "invalid character '[' exceeded max depth");
    }

    private static void assertSame(byte[] json) {
        String expected;
        try {
            expected =
                    new String(
                            GoJsonEncoder.encode(GoJsonDecoder.decode(json)),
                            StandardCharsets.ISO_8859_1);
        } catch (GoJsonException e) {
            expected = "error: " + e.getMessage();
        }
        String actual;
        try {
            actual = new String(GoJsonTranscoder.transcode(json), StandardCharsets.ISO_8859_1);
        } catch (GoJsonException e) {
            actual = "error: " + e.getMessage();
        }
        assertThat(actual).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    private static String document(Random random, int depth) {
        int kind = depth > 4 ? 0 : random.nextInt(4);
        String space = random.nextInt(5) == 0 ? " \n\t" : "";
        return switch (kind) {
            case 0, 1 -> space + SCALARS[random.nextInt(SCALARS.length)] + space;
            case 2 -> {
                var s = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "").append(document(random, depth + 1));
                }
                yield space + s.append(space).append(']');
            }
            default -> {
                var s = new StringBuilder("{");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "")
                            .append(space)
                            .append('"')
                            .append(KEYS[random.nextInt(KEYS.length)])
                            .append("\":")
                            .append(document(random, depth + 1));
                }
                yield space + s.append('}');
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
