package dev.wasmbind.sidecar.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test model of Go's {@code json.Unmarshal} into an {@code interface{}} (the sidecar itself
 * reads request bodies with {@link GoJsonTranscoder}, which must write what {@code
 * GoJsonEncoder.encode(GoJsonDecoder.decode(json))} writes). Values are {@code null}, {@link
 * Boolean}, {@link Double} (Go decodes every number as float64), {@link String}, {@link List} and
 * {@link Map}; {@link GoJsonEncoder} writes them back.
 *
 * <p>The last of duplicate keys wins, invalid UTF-8 and lone surrogate escapes become U+FFFD, a
 * number outside float64's range is an error, and error messages are Go's syntax error texts.
 */
final class GoJsonDecoder {

    private GoJsonDecoder() {}

    /** Parses one JSON document; error messages are Go's syntax error texts. */
    static Object decode(byte[] json) throws GoJsonException {
        return new Parser(json).document();
    }

    /** The JSON type name Go uses in "cannot unmarshal X into ..." messages. */
    static String goKind(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Double) {
            return "number";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof List) {
            return "array";
        }
        return "object";
    }

    /** A recursive-descent parser over the raw bytes, with Go's scanner error messages. */
    private static final class Parser {
        private static final int MAX_DEPTH = 10000;

        private final byte[] in;
        private int pos;
        private int depth;

        Parser(byte[] in) {
            this.in = in;
        }

        Object document() throws GoJsonException {
            skipSpace();
            Object value = value("looking for beginning of value");
            skipSpace();
            if (pos < in.length) {
                throw invalid(in[pos], "after top-level value");
            }
            return value;
        }

        private Object value(String context) throws GoJsonException {
            if (pos >= in.length) {
                throw endOfInput();
            }
            byte c = in[pos];
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw invalid(c, context);
                }
            };
        }

        private Map<String, Object> object() throws GoJsonException {
            enter();
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                depth--;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] != '"') {
                    throw invalid(in[pos], "looking for beginning of object key string");
                }
                String key = string();
                skipSpace();
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] != ':') {
                    throw invalid(in[pos], "after object key");
                }
                pos++;
                skipSpace();
                map.put(key, value("looking for beginning of value"));
                skipSpace();
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] == ',') {
                    pos++;
                } else if (in[pos] == '}') {
                    pos++;
                    depth--;
                    return map;
                } else {
                    throw invalid(in[pos], "after object key:value pair");
                }
            }
        }

        private List<Object> array() throws GoJsonException {
            enter();
            pos++;
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                depth--;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value("looking for beginning of value"));
                skipSpace();
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] == ',') {
                    pos++;
                } else if (in[pos] == ']') {
                    pos++;
                    depth--;
                    return list;
                } else {
                    throw invalid(in[pos], "after array element");
                }
            }
        }

        /** Go's scanner refuses the bracket that opens level 10001, naming it. */
        private void enter() throws GoJsonException {
            if (++depth > MAX_DEPTH) {
                throw invalid(in[pos], "exceeded max depth");
            }
        }

        private Object literal(String word, Object value) throws GoJsonException {
            for (int i = 0; i < word.length(); i++) {
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] != word.charAt(i)) {
                    throw invalid(
                            in[pos],
                            "in literal " + word + " (expecting '" + word.charAt(i) + "')");
                }
                pos++;
            }
            return value;
        }

        private Double number() throws GoJsonException {
            int start = pos;
            if (in[pos] == '-') {
                pos++;
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] < '0' || in[pos] > '9') {
                    throw invalid(in[pos], "in numeric literal");
                }
            }
            if (in[pos] == '0') {
                pos++;
            } else {
                digits();
            }
            if (pos < in.length && in[pos] == '.') {
                pos++;
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] < '0' || in[pos] > '9') {
                    throw invalid(in[pos], "after decimal point in numeric literal");
                }
                digits();
            }
            if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
                pos++;
                if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                    pos++;
                }
                if (pos >= in.length) {
                    throw endOfInput();
                }
                if (in[pos] < '0' || in[pos] > '9') {
                    throw invalid(in[pos], "in exponent of numeric literal");
                }
                digits();
            }
            String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
            double d = Double.parseDouble(text);
            if (Double.isInfinite(d)) {
                // Go: strconv.ParseFloat fails with ErrRange, json reports a type error.
                throw new GoJsonException(
                        "json: cannot unmarshal number " + text + " into Go value of type float64");
            }
            return d;
        }

        private void digits() {
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
        }

        private String string() throws GoJsonException {
            pos++; // opening quote
            var s = new StringBuilder();
            while (true) {
                if (pos >= in.length) {
                    throw endOfInput();
                }
                int b = in[pos] & 0xFF;
                if (b == '"') {
                    pos++;
                    return s.toString();
                } else if (b == '\\') {
                    escape(s);
                } else if (b < 0x20) {
                    throw invalid(in[pos], "in string literal");
                } else if (b < 0x80) {
                    s.append((char) b);
                    pos++;
                } else {
                    utf8(s);
                }
            }
        }

        private void escape(StringBuilder s) throws GoJsonException {
            pos++;
            if (pos >= in.length) {
                throw endOfInput();
            }
            byte c = in[pos++];
            switch (c) {
                case '"' -> s.append('"');
                case '\\' -> s.append('\\');
                case '/' -> s.append('/');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    char unit = hex4();
                    if (Character.isHighSurrogate(unit)
                            && pos + 1 < in.length
                            && in[pos] == '\\'
                            && in[pos + 1] == 'u') {
                        int save = pos;
                        pos += 2;
                        char low = hex4();
                        if (Character.isLowSurrogate(low)) {
                            s.append(unit).append(low);
                            return;
                        }
                        pos = save;
                    }
                    s.append(Character.isSurrogate(unit) ? '\ufffd' : unit);
                }
                default -> throw invalid(c, "in string escape code");
            }
        }

        private char hex4() throws GoJsonException {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                if (pos >= in.length) {
                    throw endOfInput();
                }
                int digit = Character.digit(in[pos], 16);
                if (digit < 0) {
                    throw invalid(in[pos], "in \\u hexadecimal character escape");
                }
                value = value * 16 + digit;
                pos++;
            }
            return (char) value;
        }

        /** Decodes one UTF-8 sequence; an invalid byte becomes U+FFFD, as in Go. */
        private void utf8(StringBuilder s) {
            int b0 = in[pos] & 0xFF;
            int length;
            int min;
            int codePoint;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                length = 2;
                min = 0x80;
                codePoint = b0 & 0x1F;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                length = 3;
                min = 0x800;
                codePoint = b0 & 0x0F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                length = 4;
                min = 0x10000;
                codePoint = b0 & 0x07;
            } else {
                s.append('\ufffd');
                pos++;
                return;
            }
            if (pos + length > in.length) {
                s.append('\ufffd');
                pos++;
                return;
            }
            for (int i = 1; i < length; i++) {
                int b = in[pos + i] & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    s.append('\ufffd');
                    pos++;
                    return;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
            }
            if (codePoint < min
                    || codePoint > 0x10FFFF
                    || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                s.append('\ufffd');
                pos++;
                return;
            }
            s.appendCodePoint(codePoint);
            pos += length;
        }

        private int peek() {
            return pos < in.length ? in[pos] : -1;
        }

        private void skipSpace() {
            while (pos < in.length
                    && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
                pos++;
            }
        }

        private static GoJsonException endOfInput() {
            return new GoJsonException("unexpected end of JSON input");
        }

        private static GoJsonException invalid(byte c, String context) {
            return new GoJsonException("invalid character " + quoteChar(c) + " " + context);
        }

        /** Go's scanner quotes the offending byte like {@code strconv.Quote}, in single quotes. */
        private static String quoteChar(byte b) {
            int c = b & 0xFF;
            if (c == '\'') {
                return "'\\''";
            }
            if (c == '"') {
                return "'\"'";
            }
            String quoted =
                    switch (c) {
                        case '\n' -> "\\n";
                        case '\r' -> "\\r";
                        case '\t' -> "\\t";
                        case '\b' -> "\\b";
                        case '\f' -> "\\f";
                        case '\\' -> "\\\\";
                        default ->
                                c < 0x20 || c == 0x7F
                                        ? String.format("\\x%02x", c)
                                        : String.valueOf((char) c);
                    };
            return "'" + quoted + "'";
        }
    }
}
