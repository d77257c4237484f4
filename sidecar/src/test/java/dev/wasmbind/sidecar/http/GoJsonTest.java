package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parity with Go's {@code json.Unmarshal} into {@code interface{}} then {@code json.Marshal}, the
 * two steps daprd applies to a binding request's {@code data}: of the transcoder that does both in
 * one pass, and of the decoder (the test model of Go's values) followed by the encoder. Expected
 * outputs follow Go's encoding/json rules: map keys sorted by bytes; every number a float64 printed
 * with strconv.FormatFloat(f, 'f' or 'e', -1, 64), 'e' when |f| < 1e-6 or |f| >= 1e21, and "e-0N"
 * shortened to "e-N"; HTML-safe escaping of <, >, & and of U+2028/U+2029; \b and \f short escapes
 * (Go 1.22+); other control characters as backslash-u00XX; invalid UTF-8 replaced by U+FFFD.
 */
class GoJsonTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // strings keep their quotes: Dapr's docs show Hello "salaboy"
                "`\"salaboy\"`|`\"salaboy\"`",
                // objects: keys sorted, no spaces
                "`{ \"b\" : 1, \"a\" : [true, false, null] }`|`{\"a\":[true,false,null],\"b\":1}`",
                // the last duplicate key wins
                "`{\"a\":1,\"a\":2}`|`{\"a\":2}`",
                // numbers are float64
                "`1`|`1`",
                "`-0`|`-0`",
                "`1.0`|`1`",
                "`1.50`|`1.5`",
                "`100`|`100`",
                "`12345678901234567890`|`12345678901234567000`",
                "`1e20`|`100000000000000000000`",
                "`1e21`|`1e+21`",
                "`123456789e20`|`1.23456789e+28`",
                "`0.000001`|`0.000001`",
                "`0.0000001`|`1e-7`",
                "`1.5e-10`|`1.5e-10`",
                "`0.1`|`0.1`",
                "`3.14159`|`3.14159`",
                "`1E400`|`ERR`",
                // shortest round-trip digits, also where the gap below is half the gap above
                "`5.9604644775390625e-8`|`5.960464477539063e-8`",
                "`5e-324`|`5e-324`",
                "`1.7976931348623157e308`|`1.7976931348623157e+308`",
                "`1e23`|`1e+23`",
                // HTML characters and JavaScript line separators are escaped
                "`\"<a href='x'>&</a>\"`|`\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\"`",
                "`\"\u2028\u2029\"`|`\"\\u2028\\u2029\"`",
                // escapes: short forms where Go has them, backslash-u00XX otherwise
                "`\"\\b\\f\\n\\r\\t\\u0001\\/\"`|`\"\\b\\f\\n\\r\\t\\u0001/\"`",
                // unicode passes through as UTF-8; escaped surrogate pairs are combined
                "`\"h\u00e9llo \u4e16\u754c\"`|`\"h\u00e9llo \u4e16\u754c\"`",
                "`\"\\ud83d\\ude00\"`|`\"\ud83d\ude00\"`",
                // a lone surrogate escape becomes U+FFFD
                "`\"\\ud800x\"`|`\"\ufffdx\"`",
                "`null`|`null`",
                "`[]`|`[]`",
                "`{}`|`{}`",
            })
    void shouldEncodeLikeGo(String input, String expected) throws GoJsonException {
        byte[] json = input.getBytes(StandardCharsets.UTF_8);
        if (expected.equals("ERR")) {
            String message = "json: cannot unmarshal number 1E400 into Go value of type float64";
            assertThatThrownBy(() -> GoJsonDecoder.decode(json))
                    .isInstanceOf(GoJsonException.class)
                    .hasMessage(message);
            assertThatThrownBy(() -> GoJsonTranscoder.transcode(json))
                    .isInstanceOf(GoJsonException.class)
                    .hasMessage(message);
            return;
        }
        assertThat(
                        new String(
                                GoJsonEncoder.encode(GoJsonDecoder.decode(json)),
                                StandardCharsets.UTF_8))
                .isEqualTo(expected);
        assertThat(new String(GoJsonTranscoder.transcode(json), StandardCharsets.UTF_8))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{index}: {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "``|unexpected end of JSON input",
                "`{`|unexpected end of JSON input",
                "`{\"a\" 1}`|invalid character '1' after object key",
                "`{\"a\":1 \"b\":2}`|invalid character '\"' after object key:value pair",
                "`{a:1}`|invalid character 'a' looking for beginning of object key string",
                "`[1 2]`|invalid character '2' after array element",
                "`x`|invalid character 'x' looking for beginning of value",
                "`{} {}`|invalid character '{' after top-level value",
                "`tru`|unexpected end of JSON input",
                "`trux`|invalid character 'x' in literal true (expecting 'e')",
                "`01`|invalid character '1' after top-level value",
                "`1.x`|invalid character 'x' after decimal point in numeric literal",
                "`-x`|invalid character 'x' in numeric literal",
                "`1ex`|invalid character 'x' in exponent of numeric literal",
                "`\"\\x\"`|invalid character 'x' in string escape code",
            })
    void shouldRefuseMalformedJsonWithGoMessages(String input, String message) {
        assertThatThrownBy(() -> GoJsonDecoder.decode(input.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GoJsonException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> GoJsonTranscoder.transcode(input.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GoJsonException.class)
                .hasMessage(message);
    }

    @org.junit.jupiter.api.Test
    void shouldReplaceInvalidUtf8ByteByByte() throws GoJsonException {
        byte[] json = {'"', 'a', (byte) 0xFF, (byte) 0xC3, 'b', '"'};

        byte[] encoded = GoJsonEncoder.encode(GoJsonDecoder.decode(json));

        assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo("\"a\ufffd\ufffdb\"");
        assertThat(GoJsonTranscoder.transcode(json)).isEqualTo(encoded);
    }

    @org.junit.jupiter.api.Test
    void shouldSortKeysByUtf8BytesNotUtf16Units() throws GoJsonException {
        // U+FF61 is one UTF-16 unit above the surrogates, but its UTF-8 bytes (EF BD A1) sort
        // before those of U+1F600 (F0 9F 98 80); Java's String order says the opposite.
        String json = "{\"\ud83d\ude00\":1,\"\uff61\":2}";

        byte[] encoded =
                GoJsonEncoder.encode(GoJsonDecoder.decode(json.getBytes(StandardCharsets.UTF_8)));

        assertThat(new String(encoded, StandardCharsets.UTF_8))
                .isEqualTo("{\"\uff61\":2,\"\ud83d\ude00\":1}");
        assertThat(GoJsonTranscoder.transcode(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(encoded);
    }
}
