package dev.wasmbind.sidecar.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Go's {@code json.Unmarshal} into an {@code interface{}} followed by {@code json.Marshal}, the two
 * steps daprd applies to a binding request's {@code data}, in one pass from bytes to bytes: the
 * same output as {@code GoJsonEncoder.encode(GoJsonDecoder.decode(json))} and the same error
 * messages, without building the values in between. Strings are copied in runs (escapes and
 * non-ASCII bytes handled one at a time), integers of up to 15 digits are copied as they are (they
 * are exact as float64 and Go prints them unchanged), and nesting is followed with an explicit
 * stack instead of recursion, so the 10000 levels Go accepts need no deep thread stack. Only an
 * object whose keys are not already sorted and distinct is rewritten when it closes.
 *
 * <p>Not thread-safe: one instance reads one document.
 */
final class GoJsonTranscoder {

    static final int MAX_DEPTH = 10000;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    /** Bytes a Go-encoded string holds as they are: printable ASCII but {@code " \ < > &}. */
    private static final boolean[] PLAIN_ENCODED = new boolean[256];

    /** Bytes a decoded string holds as they are: printable ASCII but {@code " \}. */
    private static final boolean[] PLAIN_RAW = new boolean[256];

    static {
        for (int b = 0x20; b < 0x80; b++) {
            PLAIN_RAW[b] = b != '"' && b != '\\';
            PLAIN_ENCODED[b] = PLAIN_RAW[b] && b != '<' && b != '>' && b != '&';
        }
    }

    private final byte[] in;
    private final int end;
    private int pos;
    private int depth;

    private byte[] out;
    private int len;

    /** Open arrays and objects, innermost last; frames are reused as nesting goes up and down. */
    private final List<Frame> stack = new ArrayList<>();

    private int top;

    /** Where dropped values go. */
    private byte[] scratch = new byte[64];

    /** Where keys and other strings read as Java values are decoded. */
    private byte[] keyBuffer = new byte[64];

    GoJsonTranscoder(byte[] in, int offset, int length) {
        this.in = in;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Transcodes one whole JSON document (as {@code encode(decode(json))}). */
    static byte[] transcode(byte[] json) throws GoJsonException {
        var t = new GoJsonTranscoder(json, 0, json.length);
        t.startOutput(json.length);
        t.skipSpace();
        t.value("looking for beginning of value");
        t.endOfDocument();
        return t.output();
    }

    // ---- output

    /** Directs what follows into a fresh buffer of {@code capacity} bytes (it grows). */
    void startOutput(int capacity) {
        out = new byte[capacity];
        len = 0;
    }

    /** Directs what follows into the scratch buffer, for values that are read and dropped. */
    void discardOutput() {
        out = scratch;
        len = 0;
    }

    /** What was written since {@link #startOutput}, exactly sized. */
    byte[] output() {
        return len == out.length ? out : Arrays.copyOf(out, len);
    }

    private void ensure(int more) {
        if (len + more > out.length) {
            boolean wasScratch = out == scratch;
            out = Arrays.copyOf(out, Math.max(out.length * 2, len + more));
            if (wasScratch) {
                scratch = out;
            }
        }
    }

    private void put(int b) {
        ensure(1);
        out[len++] = (byte) b;
    }

    private void put(byte[] bytes, int from, int count) {
        ensure(count);
        System.arraycopy(bytes, from, out, len, count);
        len += count;
    }

    private void putAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            out[len++] = (byte) s.charAt(i);
        }
    }

    // ---- input

    /** Input bytes left to read. */
    int remaining() {
        return end - pos;
    }

    /**
     * The length of the string at the position when its contents need no escape either way
     * (printable ASCII without {@code " \ < > &}), else -1: its decoded and encoded forms are then
     * its bytes, and the output can be sized exactly.
     */
    int plainStringLength() {
        int i = pos + 1;
        while (i < end && PLAIN_ENCODED[in[i] & 0xFF]) {
            i++;
        }
        return i < end && in[i] == '"' ? i - pos - 1 : -1;
    }

    /** Moves past the string at the position, {@code plain} its {@link #plainStringLength}. */
    void skipPlainString(int plain) {
        pos += plain + 2;
    }

    /** The position in {@link #input()}. */
    int position() {
        return pos;
    }

    /** The array being read (the whole of it, not only the range being decoded). */
    byte[] input() {
        return in;
    }

    boolean atEnd() {
        return pos >= end;
    }

    /** The byte at the position; call only when not {@link #atEnd}. */
    byte current() {
        return in[pos];
    }

    void skip() {
        pos++;
    }

    void skipSpace() {
        while (pos < end) {
            byte b = in[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            pos++;
        }
    }

    int peek() {
        return pos < end ? in[pos] : -1;
    }

    /** Fails unless only white space is left. */
    void endOfDocument() throws GoJsonException {
        skipSpace();
        if (pos < end) {
            throw invalid(in[pos], "after top-level value");
        }
    }

    /** Go's scanner refuses the bracket that opens level 10001, naming it. */
    void enter() throws GoJsonException {
        if (++depth > MAX_DEPTH) {
            throw invalid(in[pos], "exceeded max depth");
        }
    }

    void leave() {
        depth--;
    }

    // ---- values

    /**
     * Reads the value at the position and writes its Go encoding; {@code context} names what was
     * expected in the error for a byte that cannot start a value.
     */
    void value(String context) throws GoJsonException {
        int base = top;
        String expecting = context;
        while (true) {
            // A value starts here: a scalar, or the opening of an array or object.
            if (pos >= end) {
                throw endOfInput();
            }
            byte c = in[pos];
            boolean opened = false;
            switch (c) {
                case '{' -> {
                    enter();
                    pos++;
                    Frame frame = push(true);
                    put('{');
                    skipSpace();
                    if (peek() == '}') {
                        pos++;
                        depth--;
                        top--;
                        put('}');
                    } else {
                        member(frame);
                        opened = true;
                    }
                }
                case '[' -> {
                    enter();
                    pos++;
                    push(false);
                    put('[');
                    skipSpace();
                    if (peek() == ']') {
                        pos++;
                        depth--;
                        top--;
                        put(']');
                    } else {
                        opened = true;
                    }
                }
                case '"' -> string(false);
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        number();
                    } else {
                        throw invalid(c, expecting);
                    }
                }
            }
            expecting = "looking for beginning of value";
            if (opened) {
                continue;
            }
            // A value ended: close the containers it ends, until one expects another value.
            while (true) {
                if (top == base) {
                    return;
                }
                Frame frame = stack.get(top - 1);
                if (frame.object) {
                    frame.endMember(len);
                }
                skipSpace();
                if (pos >= end) {
                    throw endOfInput();
                }
                byte next = in[pos];
                if (next == ',') {
                    pos++;
                    put(',');
                    skipSpace();
                    if (frame.object) {
                        member(frame);
                    }
                    break;
                }
                if (next == (frame.object ? '}' : ']')) {
                    pos++;
                    depth--;
                    top--;
                    if (frame.object) {
                        close(frame);
                    } else {
                        put(']');
                    }
                    continue;
                }
                throw invalid(
                        next, frame.object ? "after object key:value pair" : "after array element");
            }
        }
    }

    private Frame push(boolean object) {
        if (top == stack.size()) {
            stack.add(new Frame());
        }
        Frame frame = stack.get(top++);
        frame.reset(object, len);
        return frame;
    }

    /** Reads {@code "key":} of an object member, writing it encoded; the value follows. */
    private void member(Frame frame) throws GoJsonException {
        skipSpace();
        if (pos >= end) {
            throw endOfInput();
        }
        if (in[pos] != '"') {
            throw invalid(in[pos], "looking for beginning of object key string");
        }
        int start = len;
        byte[] key = key();
        writeEncoded(key);
        skipSpace();
        if (pos >= end) {
            throw endOfInput();
        }
        if (in[pos] != ':') {
            throw invalid(in[pos], "after object key");
        }
        pos++;
        put(':');
        skipSpace();
        frame.beginMember(key, start);
    }

    /** Writes an object's members sorted by key, the last of duplicates kept, as Go does. */
    private void close(Frame frame) {
        if (frame.inOrder) {
            put('}');
            return;
        }
        int count = frame.keys.size();
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        List<byte[]> keys = frame.keys;
        // Stable: equal keys keep their order, so the last of a run is the last in the input.
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys.get(a), keys.get(b)));
        byte[] members = Arrays.copyOfRange(out, frame.start, len);
        len = frame.start;
        put('{');
        boolean first = true;
        for (int i = 0; i < count; i++) {
            int m = order[i];
            if (i + 1 < count && Arrays.equals(keys.get(m), keys.get(order[i + 1]))) {
                continue;
            }
            if (!first) {
                put(',');
            }
            first = false;
            int from = frame.spans[2 * m] - frame.start;
            put(members, from, frame.spans[2 * m + 1] - frame.start - from);
        }
        put('}');
    }

    /** An open array or object; an object records where each member's bytes are in the output. */
    private static final class Frame {
        boolean object;
        int start;
        final List<byte[]> keys = new ArrayList<>();
        int[] spans = new int[8];
        boolean inOrder;

        void reset(boolean object, int start) {
            this.object = object;
            this.start = start;
            keys.clear();
            inOrder = true;
        }

        void beginMember(byte[] key, int memberStart) {
            int n = keys.size();
            if (n > 0 && Arrays.compareUnsigned(keys.get(n - 1), key) >= 0) {
                inOrder = false;
            }
            keys.add(key);
            if (2 * n + 2 > spans.length) {
                spans = Arrays.copyOf(spans, spans.length * 2);
            }
            spans[2 * n] = memberStart;
        }

        void endMember(int memberEnd) {
            spans[2 * keys.size() - 1] = memberEnd;
        }
    }

    private void literal(String word) throws GoJsonException {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= end) {
                throw endOfInput();
            }
            if (in[pos] != word.charAt(i)) {
                throw invalid(
                        in[pos], "in literal " + word + " (expecting '" + word.charAt(i) + "')");
            }
            pos++;
        }
        putAscii(word);
    }

    /** Go decodes every number as float64 and prints it back in its shortest form. */
    private void number() throws GoJsonException {
        int start = pos;
        if (in[pos] == '-') {
            pos++;
            if (pos >= end) {
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
        boolean integer = true;
        if (pos < end && in[pos] == '.') {
            integer = false;
            pos++;
            if (pos >= end) {
                throw endOfInput();
            }
            if (in[pos] < '0' || in[pos] > '9') {
                throw invalid(in[pos], "after decimal point in numeric literal");
            }
            digits();
        }
        if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
            integer = false;
            pos++;
            if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            if (pos >= end) {
                throw endOfInput();
            }
            if (in[pos] < '0' || in[pos] > '9') {
                throw invalid(in[pos], "in exponent of numeric literal");
            }
            digits();
        }
        int length = pos - start;
        int digitCount = in[start] == '-' ? length - 1 : length;
        if (integer && digitCount <= 15) {
            // Exact as a float64 and below 1e21: Go prints the same digits.
            put(in, start, length);
            return;
        }
        String text = new String(in, start, length, StandardCharsets.US_ASCII);
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            // Go: strconv.ParseFloat fails with ErrRange, json reports a type error.
            throw new GoJsonException(
                    "json: cannot unmarshal number " + text + " into Go value of type float64");
        }
        putAscii(GoJsonEncoder.formatFloat64(d));
    }

    private void digits() {
        while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
            pos++;
        }
    }

    // ---- strings

    /** Reads the string at the position as its UTF-8 contents, as a Java string. */
    String stringValue() throws GoJsonException {
        int length = decodeToKeyBuffer();
        return new String(keyBuffer, 0, length, StandardCharsets.UTF_8);
    }

    /** Reads an object key as its UTF-8 contents (what Go compares and sorts). */
    private byte[] key() throws GoJsonException {
        return Arrays.copyOf(keyBuffer, decodeToKeyBuffer());
    }

    private int decodeToKeyBuffer() throws GoJsonException {
        byte[] saved = out;
        int savedLen = len;
        out = keyBuffer;
        len = 0;
        try {
            string(true);
            keyBuffer = out;
            return len;
        } finally {
            out = saved;
            len = savedLen;
        }
    }

    /**
     * Reads the string at the position: {@code raw} writes its contents as UTF-8 (what {@code
     * rawData} hands the guest), otherwise its Go encoding with quotes. Invalid UTF-8 and lone
     * surrogate escapes become U+FFFD.
     */
    void string(boolean raw) throws GoJsonException {
        boolean[] plain = raw ? PLAIN_RAW : PLAIN_ENCODED;
        pos++; // opening quote
        if (!raw) {
            put('"');
        }
        while (true) {
            int run = pos;
            while (pos < end && plain[in[pos] & 0xFF]) {
                pos++;
            }
            if (pos > run) {
                put(in, run, pos - run);
            }
            if (pos >= end) {
                throw endOfInput();
            }
            int b = in[pos] & 0xFF;
            if (b == '"') {
                pos++;
                if (!raw) {
                    put('"');
                }
                return;
            } else if (b == '\\') {
                escape(raw);
            } else if (b < 0x20) {
                throw invalid(in[pos], "in string literal");
            } else if (b < 0x80) {
                // < > & in an encoded string
                escapeUnit(b);
                pos++;
            } else {
                utf8(raw);
            }
        }
    }

    private void escape(boolean raw) throws GoJsonException {
        pos++;
        if (pos >= end) {
            throw endOfInput();
        }
        byte c = in[pos++];
        char unit;
        switch (c) {
            case '"' -> unit = '"';
            case '\\' -> unit = '\\';
            case '/' -> unit = '/';
            case 'b' -> unit = '\b';
            case 'f' -> unit = '\f';
            case 'n' -> unit = '\n';
            case 'r' -> unit = '\r';
            case 't' -> unit = '\t';
            case 'u' -> {
                unit = hex4();
                if (Character.isHighSurrogate(unit)
                        && pos + 1 < end
                        && in[pos] == '\\'
                        && in[pos + 1] == 'u') {
                    int save = pos;
                    pos += 2;
                    char low = hex4();
                    if (Character.isLowSurrogate(low)) {
                        putCodePoint(Character.toCodePoint(unit, low));
                        return;
                    }
                    pos = save;
                }
                if (Character.isSurrogate(unit)) {
                    unit = '\ufffd';
                }
            }
            default -> throw invalid(c, "in string escape code");
        }
        if (raw || unit >= 0x80) {
            putChar(unit, raw);
        } else if (unit >= 0x20 && PLAIN_ENCODED[unit]) {
            put(unit);
        } else {
            escapeUnit(unit);
        }
    }

    /** Go's escape of an ASCII character in an encoded string. */
    private void escapeUnit(int c) {
        switch (c) {
            case '"' -> putAscii("\\\"");
            case '\\' -> putAscii("\\\\");
            case '\n' -> putAscii("\\n");
            case '\r' -> putAscii("\\r");
            case '\t' -> putAscii("\\t");
            // Go 1.22 and later write these two short forms.
            case '\b' -> putAscii("\\b");
            case '\f' -> putAscii("\\f");
            default -> {
                ensure(6);
                out[len++] = '\\';
                out[len++] = 'u';
                out[len++] = '0';
                out[len++] = '0';
                out[len++] = HEX[c >> 4];
                out[len++] = HEX[c & 0xF];
            }
        }
    }

    /** A BMP character (not a surrogate) from an escape, 0x80 and above, or raw. */
    private void putChar(char c, boolean raw) {
        if (!raw && (c == '\u2028' || c == '\u2029')) {
            putAscii(c == '\u2028' ? "\\u2028" : "\\u2029");
        } else {
            putCodePoint(c);
        }
    }

    private void putCodePoint(int cp) {
        ensure(4);
        if (cp < 0x80) {
            out[len++] = (byte) cp;
        } else if (cp < 0x800) {
            out[len++] = (byte) (0xC0 | (cp >> 6));
            out[len++] = (byte) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[len++] = (byte) (0xE0 | (cp >> 12));
            out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[len++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            out[len++] = (byte) (0xF0 | (cp >> 18));
            out[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            out[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[len++] = (byte) (0x80 | (cp & 0x3F));
        }
    }

    private char hex4() throws GoJsonException {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (pos >= end) {
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

    /** Copies one valid UTF-8 sequence; an invalid byte becomes U+FFFD, as in Go. */
    private void utf8(boolean raw) {
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
            replacement();
            return;
        }
        if (pos + length > end) {
            replacement();
            return;
        }
        for (int i = 1; i < length; i++) {
            int b = in[pos + i] & 0xFF;
            if ((b & 0xC0) != 0x80) {
                replacement();
                return;
            }
            codePoint = (codePoint << 6) | (b & 0x3F);
        }
        if (codePoint < min
                || codePoint > 0x10FFFF
                || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
            replacement();
            return;
        }
        if (!raw && (codePoint == 0x2028 || codePoint == 0x2029)) {
            putAscii(codePoint == 0x2028 ? "\\u2028" : "\\u2029");
        } else {
            put(in, pos, length);
        }
        pos += length;
    }

    private void replacement() {
        put(REPLACEMENT, 0, REPLACEMENT.length);
        pos++;
    }

    /** Writes a key's UTF-8 contents (valid UTF-8, from {@link #key}) Go-encoded, with quotes. */
    private void writeEncoded(byte[] key) {
        put('"');
        int i = 0;
        while (i < key.length) {
            int run = i;
            while (i < key.length && PLAIN_ENCODED[key[i] & 0xFF]) {
                i++;
            }
            put(key, run, i - run);
            if (i >= key.length) {
                break;
            }
            int b = key[i] & 0xFF;
            if (b < 0x80) {
                escapeUnit(b);
                i++;
            } else if (b == 0xE2
                    && i + 2 < key.length
                    && key[i + 1] == (byte) 0x80
                    && (key[i + 2] == (byte) 0xA8 || key[i + 2] == (byte) 0xA9)) {
                putAscii(key[i + 2] == (byte) 0xA8 ? "\\u2028" : "\\u2029");
                i += 3;
            } else {
                put(b);
                i++;
            }
        }
        put('"');
    }

    // ---- errors

    static GoJsonException endOfInput() {
        return new GoJsonException("unexpected end of JSON input");
    }

    static GoJsonException invalid(byte c, String context) {
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
