package dev.wasmbind.sidecar.wasihttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoHttpTest {

    @ParameterizedTest
    @CsvSource({
        // values printed by Go 1.19's textproto.CanonicalMIMEHeaderKey
        "content-type,Content-Type",
        "CONTENT-LENGTH,Content-Length",
        "x-multi,X-Multi",
        "www-authenticate,Www-Authenticate",
        "etag,Etag",
        "x-b3-traceid,X-B3-Traceid",
        "-x,-X",
        "a--b,A--B",
        "'with space',with space",
        "'héader',héader",
    })
    void shouldNameHeadersAsGoDoes(String name, String canonical) {
        assertThat(GoHttp.canonicalKey(name)).isEqualTo(canonical);
    }

    @Test
    void shouldJoinTheQueryWithAQuestionMark() throws URISyntaxException {
        assertThat(GoHttp.url("http", "h:1", "/p", "a=1&b=2").toString())
                .isEqualTo("http://h:1/p?a=1&b=2");
        assertThat(GoHttp.url("http", "h:1", "/p", "?a=1").toString())
                .isEqualTo("http://h:1/p?a=1");
        assertThat(GoHttp.url("https", "h", "", "").toString()).isEqualTo("https://h");
    }

    @Test
    void shouldEscapeWhatGoAcceptsInAPath() throws URISyntaxException {
        // the path as Go 1.19's URL.String writes it; Go would send the query's space raw, which
        // servers refuse, so it is escaped here too
        assertThat(GoHttp.url("http", "h", "/a b/é|{x}", "q=a b").toASCIIString())
                .isEqualTo("http://h/a%20b/%C3%A9%7C%7Bx%7D?q=a%20b");
        assertThat(GoHttp.escape("/already%20escaped")).isEqualTo("/already%20escaped");
    }

    @Test
    void shouldRefuseControlCharactersAsGoDoes() {
        assertThatThrownBy(() -> GoHttp.url("http", "h", "/a\nb", ""))
                .isInstanceOf(URISyntaxException.class);
    }

    @Test
    void shouldListTheFirstValueOfEachHeader() {
        assertThat(GoHttp.firstValues(Map.of("X-Multi", List.of("one", "two"), "Empty", List.of())))
                .containsExactly(new String[] {"X-Multi", "one"});
    }
}
