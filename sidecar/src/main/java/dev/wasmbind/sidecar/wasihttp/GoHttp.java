package dev.wasmbind.sidecar.wasihttp;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Go's {@code net/http} and {@code net/url} do to a request and a response on the way through
 * Dapr's host (wasi-go hands the guest's parts to {@code http.NewRequest} and the answer of {@code
 * http.DefaultClient} back), where guests can see the difference.
 */
final class GoHttp {

    private static final String TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";
    private static final String UNSAFE = " \"<>\\^`{|}";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GoHttp() {}

    /**
     * A header name as Go's {@code textproto.CanonicalMIMEHeaderKey} writes it: the first letter
     * and every letter after a hyphen upper case, the rest lower case; a name with a byte that is
     * not a token character stays as it is. Go's client answers response headers under these names,
     * and a Go guest's {@code Header.Get} looks them up that way.
     */
    static String canonicalKey(String name) {
        StringBuilder key = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || TOKEN_PUNCTUATION.indexOf(c) >= 0;
            if (!token) {
                return name;
            }
            key.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return key.toString();
    }

    /**
     * The URL wasi-go builds from a guest's request parts, {@code scheme://authority path query},
     * read as Go's {@code url.Parse} reads it: characters Go accepts in a path or query but {@code
     * java.net.URI} does not (a space, {@code "<>\^`{|}}, non-ASCII) are percent-encoded, as Go
     * writes them on the wire. One deliberate difference: wasi-go joins the query to the path
     * without a {@code ?} (dev-wasm-go passes {@code URL.RawQuery}, which has none), so in Dapr a
     * query becomes part of the path; here a query not starting with {@code ?} gets one.
     */
    static URI url(String scheme, String authority, String path, String query)
            throws URISyntaxException {
        String q = query.isEmpty() || query.startsWith("?") ? query : "?" + query;
        return new URI(escape(scheme + "://" + authority + path + q));
    }

    /** Percent-encodes what Go's URL parser accepts but {@code java.net.URI} refuses. */
    static String escape(String url) {
        StringBuilder out = null;
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c < 0x80 && UNSAFE.indexOf(c) < 0) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(url.length() + 16).append(url, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < url.length() ? i + 2 : i + 1;
            for (byte b : url.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? url : out.toString();
    }

    /** The first value of each header, under its canonical name: what wasi-go lists. */
    static List<String[]> firstValues(Map<String, List<String>> headers) {
        Map<String, String> first = new LinkedHashMap<>();
        headers.forEach(
                (name, values) -> {
                    if (!values.isEmpty()) {
                        first.putIfAbsent(name, values.get(0));
                    }
                });
        return first.entrySet().stream().map(e -> new String[] {e.getKey(), e.getValue()}).toList();
    }
}
