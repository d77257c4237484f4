// json-greet: reads one JSON object from STDIN and answers with a greeting for its "name":
//   {"name":"Ada"}  ->  {"greeting":"Hello, Ada!"}
// Anything else (not an object, no string "name", trailing bytes) gets a message on STDERR and
// exit code 2. The parser is deliberately tiny: it checks JSON syntax, keeps "name" as the raw
// (still escaped) string, and skips every other member.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (1024 * 1024)
#define MAX_DEPTH 64

static const char *pos;
static const char *end;

static void fail(const char *why) {
    fprintf(stderr, "json-greet: %s (expected an object like {\"name\":\"Ada\"})\n", why);
    exit(2);
}

static void skip_space(void) {
    while (pos < end && (*pos == ' ' || *pos == '\t' || *pos == '\n' || *pos == '\r')) pos++;
}

static int is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Parses a string at pos (on its opening quote); returns its raw contents via start/len.
static void parse_string(const char **start, size_t *len) {
    if (pos >= end || *pos != '"') fail("a string was expected");
    pos++;
    *start = pos;
    while (pos < end && *pos != '"') {
        unsigned char c = (unsigned char)*pos;
        if (c < 0x20) fail("control character in a string");
        if (c == '\\') {
            pos++;
            if (pos >= end) break;
            if (*pos == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (pos + i >= end || !is_hex(pos[i])) fail("bad \\u escape");
                }
                pos += 4;
            } else if (!strchr("\"\\/bfnrt", *pos)) {
                fail("bad escape in a string");
            }
        }
        pos++;
    }
    if (pos >= end) fail("unterminated string");
    *len = (size_t)(pos - *start);
    pos++;
}

static void parse_literal(const char *word) {
    size_t n = strlen(word);
    if ((size_t)(end - pos) < n || memcmp(pos, word, n) != 0) fail("unexpected character");
    pos += n;
}

static void parse_number(void) {
    const char *begin = pos;
    if (pos < end && *pos == '-') pos++;
    if (pos < end && *pos == '0') {
        pos++;
    } else {
        if (pos >= end || *pos < '1' || *pos > '9') fail("bad number");
        while (pos < end && *pos >= '0' && *pos <= '9') pos++;
    }
    if (pos < end && *pos == '.') {
        pos++;
        if (pos >= end || *pos < '0' || *pos > '9') fail("bad number");
        while (pos < end && *pos >= '0' && *pos <= '9') pos++;
    }
    if (pos < end && (*pos == 'e' || *pos == 'E')) {
        pos++;
        if (pos < end && (*pos == '+' || *pos == '-')) pos++;
        if (pos >= end || *pos < '0' || *pos > '9') fail("bad number");
        while (pos < end && *pos >= '0' && *pos <= '9') pos++;
    }
    if (pos == begin) fail("bad number");
}

static void skip_value(int depth);

// Parses an object; when name_start is given, reports the top-level "name" member there.
static void parse_object(int depth, const char **name_start, size_t *name_len, int *name_kind) {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    pos++;  // '{'
    skip_space();
    if (pos < end && *pos == '}') {
        pos++;
        return;
    }
    for (;;) {
        const char *key;
        size_t key_len;
        skip_space();
        parse_string(&key, &key_len);
        skip_space();
        if (pos >= end || *pos != ':') fail("':' expected after a member name");
        pos++;
        skip_space();
        if (name_start && key_len == 4 && memcmp(key, "name", 4) == 0) {
            if (pos < end && *pos == '"') {
                parse_string(name_start, name_len);
                *name_kind = 1;
            } else {
                skip_value(depth + 1);
                *name_kind = 2;
            }
        } else {
            skip_value(depth + 1);
        }
        skip_space();
        if (pos < end && *pos == ',') {
            pos++;
            continue;
        }
        if (pos < end && *pos == '}') {
            pos++;
            return;
        }
        fail("',' or '}' expected in an object");
    }
}

static void skip_value(int depth) {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    skip_space();
    if (pos >= end) fail("unexpected end of input");
    const char *s;
    size_t n;
    switch (*pos) {
        case '{':
            parse_object(depth, NULL, NULL, NULL);
            break;
        case '[':
            pos++;
            skip_space();
            if (pos < end && *pos == ']') {
                pos++;
                break;
            }
            for (;;) {
                skip_value(depth + 1);
                skip_space();
                if (pos < end && *pos == ',') {
                    pos++;
                    continue;
                }
                if (pos < end && *pos == ']') {
                    pos++;
                    break;
                }
                fail("',' or ']' expected in an array");
            }
            break;
        case '"':
            parse_string(&s, &n);
            break;
        case 't':
            parse_literal("true");
            break;
        case 'f':
            parse_literal("false");
            break;
        case 'n':
            parse_literal("null");
            break;
        default:
            parse_number();
    }
}

int main(void) {
    static char input[MAX_INPUT + 1];
    size_t len = fread(input, 1, sizeof input, stdin);
    if (len > MAX_INPUT) fail("input larger than 1 MiB");
    pos = input;
    end = input + len;

    skip_space();
    if (pos >= end) fail("empty input");
    if (*pos != '{') fail("input is not a JSON object");
    const char *name = NULL;
    size_t name_len = 0;
    int name_kind = 0;  // 0 absent, 1 string, 2 another type
    parse_object(0, &name, &name_len, &name_kind);
    skip_space();
    if (pos != end) fail("unexpected bytes after the object");
    if (name_kind == 0) fail("no \"name\" member");
    if (name_kind == 2) fail("\"name\" is not a string");

    // The raw contents of a valid JSON string are valid inside another JSON string.
    fputs("{\"greeting\":\"Hello, ", stdout);
    fwrite(name, 1, name_len, stdout);
    fputs("!\"}", stdout);
    return 0;
}
