package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the Go-compatible JSON codec: the decoder throws nothing but {@link GoJsonException}, and
 * what it reads survives a round trip: {@code decode(encode(x))} equals {@code x}, and encoding
 * that again gives the same bytes. Runs its seeds in every build; {@code JAZZER_FUZZ=1} fuzzes (see
 * docs/fuzzing.md).
 */
class GoJsonFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void shouldDecodeOrRefuseAndRoundTripWhatItDecodes(byte[] json) throws GoJsonException {
        Object value;
        try {
            value = GoJsonDecoder.decode(json);
        } catch (GoJsonException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        byte[] encoded = GoJsonEncoder.encode(value);
        Object again = GoJsonDecoder.decode(encoded);
        assertThat(again).isEqualTo(value);
        assertThat(GoJsonEncoder.encode(again)).isEqualTo(encoded);
    }

    @FuzzTest(maxDuration = "2m")
    void shouldTranscodeAsDecodeThenEncode(byte[] json) {
        byte[] expected;
        String expectedError = null;
        try {
            expected = GoJsonEncoder.encode(GoJsonDecoder.decode(json));
        } catch (GoJsonException e) {
            expected = null;
            expectedError = e.getMessage();
        }
        try {
            byte[] actual = GoJsonTranscoder.transcode(json);
            assertThat(expectedError).isNull();
            assertThat(actual).isEqualTo(expected);
        } catch (GoJsonException e) {
            assertThat(e.getMessage()).isEqualTo(expectedError);
        }
    }
}
