package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which binding calls skip the router: plain names and plain forms only. */
class DirectCallTest {

    @ParameterizedTest
    @CsvSource({
        "/v1.0/bindings/tiny, tiny",
        "/v1.0/bindings/tiny/, tiny",
        "/v1.0/bindings/my.binding, my.binding",
        "/v1.0/bindings/a+b, a+b",
        "/v1.0/bindings/..., ...",
    })
    void shouldTakeThePlainNameOfABindingPath(String path, String name) {
        assertThat(DaprHttpApi.plainBindingName(path)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1.0/bindings/",
                "/v1.0/bindings",
                "/v1.0/bindings//",
                "/v1.0/bindings/a/b",
                "/v1.0/bindings/tiny//",
                "/v1.0/bindings/a%2Fb",
                "/v1.0/bindings/%74iny",
                "/v1.0/bindings/.",
                "/v1.0/bindings/../",
                "/v1.0//bindings/tiny",
                "/v1.0/healthz",
            })
    void shouldLeaveEveryOtherPathToTheRouter(String path) {
        assertThat(DaprHttpApi.plainBindingName(path)).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "null",
            value = {
                "null, null, false",
                "application/json, null, false",
                "application/json; charset=utf-8, a=b, false",
                "application/json, x=%41, null",
                "application/octet-stream, null, true",
                "application/octet-stream, 'operation=execute&metadata.args=a,b', true",
                "application/octet-stream, x=%41, null",
                "application/octet-stream; x=y, null, null",
                "Application/Octet-Stream, null, null",
                "text/plain, null, null",
                "*/*, null, null",
            })
    void shouldTellThePlainFormsAndLeaveTheOthersToTheRouter(
            String contentType, String query, Boolean binary) {
        assertThat(DaprHttpApi.plainForm(contentType, query)).isEqualTo(binary);
    }
}
