package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BindingRequestTest {

    private static BindingRequest parse(String json) throws GoJsonException {
        return BindingRequest.parse(json.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String stdin(String json, boolean rawData) throws GoJsonException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return slice(BindingRequest.parse(body, rawData).guestInput());
    }

    @Test
    void shouldPassDataJsonEncodedAsDaprdDoes() throws GoJsonException {
        String body = "{\"operation\":\"execute\",\"data\":\"salaboy\"}";

        assertThat(parse(body).operation()).isEqualTo("execute");
        assertThat(stdin(body, false)).isEqualTo("\"salaboy\"");
    }

    @Test
    void shouldWriteAStringRawWithRawData() throws GoJsonException {
        String body = "{\"operation\":\"execute\",\"data\":\"a<b\"}";

        assertThat(stdin(body, true)).isEqualTo("a<b");
        assertThat(stdin(body, false)).isEqualTo("\"a\\u003cb\"");
    }

    @Test
    void shouldEncodeNonStringDataEvenWithRawData() throws GoJsonException {
        String body = "{\"operation\":\"execute\",\"data\":{\"k\":[1,2]}}";

        assertThat(stdin(body, true)).isEqualTo("{\"k\":[1,2]}");
    }

    @Test
    void shouldPassNullWhenDataIsAbsent() throws GoJsonException {
        assertThat(stdin("{\"operation\":\"execute\"}", false)).isEqualTo("null");
        assertThat(stdin("{\"operation\":\"execute\"}", true)).isEqualTo("null");
    }

    @Test
    void shouldSplitArgsOnCommasKeepingEmptyParts() throws GoJsonException {
        BindingRequest request =
                parse("{\"operation\":\"execute\",\"metadata\":{\"args\":\"a,,b c\"}}");

        assertThat(request.args()).containsExactly("a", "", "b c");
    }

    @Test
    void shouldHaveNoArgsWhenArgsIsEmptyOrAbsent() throws GoJsonException {
        assertThat(parse("{\"metadata\":{\"args\":\"\"}}").args()).isEmpty();
        assertThat(parse("{\"metadata\":null}").args()).isEmpty();
    }

    @Test
    void shouldMatchFieldNamesCaseInsensitivelyLikeGo() throws GoJsonException {
        String body = "{\"Operation\":\"execute\",\"DATA\":1}";

        assertThat(parse(body).operation()).isEqualTo("execute");
        assertThat(stdin(body, false)).isEqualTo("1");
    }

    @Test
    void shouldRefuseMetadataValuesThatAreNotStrings() {
        assertThatThrownBy(() -> parse("{\"operation\":\"execute\",\"metadata\":{\"args\":1}}"))
                .isInstanceOf(GoJsonException.class)
                .hasMessage(
                        "json: cannot unmarshal number into Go struct field"
                                + " OutputBindingRequest.metadata of type string");
    }

    @Test
    void shouldRefuseAnOperationThatIsNotAString() {
        assertThatThrownBy(() -> parse("{\"operation\":true}"))
                .hasMessage(
                        "json: cannot unmarshal bool into Go struct field"
                                + " OutputBindingRequest.operation of type string");
    }

    @Test
    void shouldRefuseABodyThatIsNotAnObject() {
        assertThatThrownBy(() -> parse("[1]"))
                .hasMessage(
                        "json: cannot unmarshal array into Go value of type"
                                + " http.OutputBindingRequest");
    }

    @Test
    void shouldAcceptNullAsAnEmptyRequest() throws GoJsonException {
        BindingRequest request = parse("null");

        assertThat(request.operation()).isEmpty();
        assertThat(request.metadata()).isEmpty();
    }

    @Test
    void shouldWriteAStringsDecodedContentsWithRawData() throws GoJsonException {
        String body = "{\"data\":\"a\\nb\\u00e9\\ud83d\\ude00\\ud800<\"}";

        assertThat(stdin(body, true)).isEqualTo("a\nb\u00e9\ud83d\ude00\ufffd<");
        assertThat(stdin(body, false)).isEqualTo("\"a\\nb\u00e9\ud83d\ude00\ufffd\\u003c\"");
    }

    @Test
    void shouldMergeARepeatedMetadataAsGoDecodesIntoAMap() throws GoJsonException {
        BindingRequest request = parse("{\"metadata\":{\"args\":\"a\"},\"Metadata\":{\"x\":null}}");

        assertThat(request.metadata()).containsEntry("args", "a").containsEntry("x", "");
        assertThat(parse("{\"metadata\":{\"args\":\"a\"},\"metadata\":null}").metadata()).isEmpty();
    }

    @Test
    void shouldKeepTheLastOperationInBodyOrder() throws GoJsonException {
        assertThat(
                        parse("{\"operation\":\"a\",\"Operation\":\"b\",\"operation\":\"c\"}")
                                .operation())
                .isEqualTo("c");
        assertThat(parse("{\"operation\":\"a\",\"operation\":null}").operation()).isEqualTo("a");
    }

    @Test
    void shouldReportTheFirstTypeErrorInBodyOrderAfterSyntaxErrors() {
        assertThatThrownBy(() -> parse("{\"operation\":1,\"metadata\":5}"))
                .hasMessage(
                        "json: cannot unmarshal number into Go struct field"
                                + " OutputBindingRequest.operation of type string");
        assertThatThrownBy(() -> parse("{\"operation\":1,\"metadata\":5,}"))
                .hasMessage("invalid character '}' looking for beginning of object key string");
        assertThatThrownBy(() -> parse("[1] x"))
                .hasMessage("invalid character 'x' after top-level value");
    }

    @Test
    void shouldCountTheEnvelopeInTheDepthLimit() throws GoJsonException {
        String fits = "{\"data\":" + "[".repeat(9_999) + "]".repeat(9_999) + "}";
        String deeper = "{\"data\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";

        assertThat(stdin(fits, false)).hasSize(2 * 9_999);
        assertThatThrownBy(() -> parse(deeper))
                .hasMessage("invalid character '[' exceeded max depth");
    }

    @Test
    void shouldDecodeABodyInsideALargerArray() throws GoJsonException {
        byte[] padded =
                "xx{\"operation\":\"execute\",\"data\":[1.50]}yy".getBytes(StandardCharsets.UTF_8);

        BindingRequest request = BindingRequest.parse(padded, 2, padded.length - 4, false);

        assertThat(request.operation()).isEqualTo("execute");
        assertThat(slice(request.guestInput())).isEqualTo("[1.5]");
    }

    @Test
    void shouldHandTheGuestAPlainStringsBytesInTheBodyWithoutCopyingThem() throws GoJsonException {
        byte[] body =
                "xx{\"operation\":\"execute\",\"data\":\"0a1b\"}yy"
                        .getBytes(StandardCharsets.UTF_8);

        BindingRequest raw = BindingRequest.parse(body, 2, body.length - 4, true);
        BindingRequest encoded = BindingRequest.parse(body, 2, body.length - 4, false);

        assertThat(raw.readsFrom(body)).isTrue();
        assertThat(slice(raw.guestInput())).isEqualTo("0a1b");
        assertThat(encoded.readsFrom(body)).isTrue();
        assertThat(slice(encoded.guestInput())).isEqualTo("\"0a1b\"");
    }

    @Test
    void shouldCopyAStringThatNeedsEscapingEitherWay() throws GoJsonException {
        byte[] body = "{\"data\":\"a\\nb\"}".getBytes(StandardCharsets.UTF_8);

        BindingRequest raw = BindingRequest.parse(body, true);

        assertThat(raw.readsFrom(body)).isFalse();
        assertThat(slice(raw.guestInput())).isEqualTo("a\nb");
    }

    @Test
    void shouldGiveTheLastDataWhenItIsRepeated() throws GoJsonException {
        byte[] body = "{\"data\":\"first\",\"data\":[2]}".getBytes(StandardCharsets.UTF_8);

        BindingRequest request = BindingRequest.parse(body, true);

        assertThat(request.readsFrom(body)).isFalse();
        assertThat(slice(request.guestInput())).isEqualTo("[2]");
    }

    private static String slice(dev.wasmbind.sidecar.binding.BindingInvoker.GuestInput input) {
        return new String(
                input.stdin(), input.stdinOffset(), input.stdinLength(), StandardCharsets.UTF_8);
    }
}
