package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BindingRequestTest {

    private static BindingRequest parse(String json) throws GoJsonException {
        return BindingRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String stdin(BindingRequest request, boolean rawData) {
        return new String(request.stdin(rawData), StandardCharsets.UTF_8);
    }

    @Test
    void shouldPassDataJsonEncodedAsDaprdDoes() throws GoJsonException {
        BindingRequest request = parse("{\"operation\":\"execute\",\"data\":\"salaboy\"}");

        assertThat(request.operation()).isEqualTo("execute");
        assertThat(stdin(request, false)).isEqualTo("\"salaboy\"");
    }

    @Test
    void shouldWriteAStringRawWithRawData() throws GoJsonException {
        BindingRequest request = parse("{\"operation\":\"execute\",\"data\":\"a<b\"}");

        assertThat(stdin(request, true)).isEqualTo("a<b");
    }

    @Test
    void shouldEncodeNonStringDataEvenWithRawData() throws GoJsonException {
        BindingRequest request = parse("{\"operation\":\"execute\",\"data\":{\"k\":[1,2]}}");

        assertThat(stdin(request, true)).isEqualTo("{\"k\":[1,2]}");
    }

    @Test
    void shouldPassNullWhenDataIsAbsent() throws GoJsonException {
        assertThat(stdin(parse("{\"operation\":\"execute\"}"), false)).isEqualTo("null");
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
        BindingRequest request = parse("{\"Operation\":\"execute\",\"DATA\":1}");

        assertThat(request.operation()).isEqualTo("execute");
        assertThat(stdin(request, false)).isEqualTo("1");
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
}
