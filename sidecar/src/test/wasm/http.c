// Outbound HTTP through the 2023 wasi-http preview host ABI Dapr's wasm binding offers (import
// modules "types", "streams", "default-outgoing-HTTP"), declared by hand.
// Usage: http METHOD AUTHORITY PATH; a POST sends STDIN as its body. Prints the status line
// "status N", then the body. A refused or failed request exits 1 with the reason on STDERR.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

IMPORT("types", "new-fields") int32_t new_fields(int32_t entries, int32_t count);
IMPORT("types", "new-outgoing-request")
int32_t new_outgoing_request(int32_t method, int32_t method_ptr, int32_t method_len, int32_t path_ptr,
                             int32_t path_len, int32_t query_ptr, int32_t query_len, int32_t scheme_is_some,
                             int32_t scheme, int32_t scheme_ptr, int32_t scheme_len, int32_t authority_ptr,
                             int32_t authority_len, int32_t headers);
IMPORT("types", "outgoing-request-write") void outgoing_request_write(int32_t request, int32_t ret);
IMPORT("types", "future-incoming-response-get") void future_get(int32_t future, int32_t ret);
IMPORT("types", "incoming-response-status") int32_t response_status(int32_t response);
IMPORT("types", "incoming-response-headers") int32_t response_headers(int32_t response);
IMPORT("types", "fields-entries") void fields_entries(int32_t fields, int32_t ret);
IMPORT("types", "incoming-response-consume") void response_consume(int32_t response, int32_t ret);
IMPORT("types", "drop-fields") void drop_fields(int32_t fields);
IMPORT("types", "drop-outgoing-request") void drop_outgoing_request(int32_t request);
IMPORT("types", "drop-incoming-response") void drop_incoming_response(int32_t response);
IMPORT("streams", "write") void stream_write(int32_t stream, int32_t ptr, int32_t len, int32_t ret);
IMPORT("streams", "read") void stream_read(int32_t stream, int64_t len, int32_t ret);
IMPORT("streams", "drop-input-stream") void drop_input_stream(int32_t stream);
IMPORT("default-outgoing-HTTP", "handle")
int32_t handle(int32_t request, int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f, int32_t g);

// The host places strings and lists in guest memory through this (canonical ABI).
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align,
                                                                 size_t new_size) {
    (void)old_size;
    (void)align;
    return realloc(old, new_size);
}

struct pair { const char *name; int32_t name_len; const char *value; int32_t value_len; };

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: http METHOD AUTHORITY PATH\n");
        return 2;
    }
    int post = strcmp(argv[1], "POST") == 0;
    struct pair headers[] = {{"User-agent", 10, "wasmbind-test/1", 15}};
    int32_t fields = new_fields((int32_t)headers, 1);
    const char *path = argv[3];
    const char *query = strchr(path, '?');
    int32_t path_len = query ? (int32_t)(query - path) : (int32_t)strlen(path);
    if (!query) query = "";
    // method: 0 GET, 2 POST; scheme: some(http)
    int32_t request = new_outgoing_request(post ? 2 : 0, 0, 0, (int32_t)path, path_len, (int32_t)query,
                                           (int32_t)strlen(query), 1, 0, 0, 0, (int32_t)argv[2],
                                           (int32_t)strlen(argv[2]), fields);
    if (post) {
        static char body[65536];
        size_t n = fread(body, 1, sizeof body, stdin);
        uint32_t ret[2];
        outgoing_request_write(request, (int32_t)ret);
        if (ret[0] != 0) {
            fprintf(stderr, "no request body stream\n");
            return 1;
        }
        uint32_t written[4];
        stream_write((int32_t)ret[1], (int32_t)body, (int32_t)n, (int32_t)written);
        if (written[0] != 0) {
            fprintf(stderr, "request body refused\n");
            return 1;
        }
    }
    int32_t future = handle(request, 0, 0, 0, 0, 0, 0, 0);
    if (future == 0) {
        fprintf(stderr, "request failed\n");
        return 1;
    }
    uint32_t got[5]; // option(result(response, error)): 20 bytes in the canonical ABI
    future_get(future, (int32_t)got);
    if (got[0] != 1 || got[1] != 0) {
        fprintf(stderr, "no response\n");
        return 1;
    }
    int32_t response = (int32_t)got[2];
    printf("status %d\n", response_status(response));
    int32_t header_fields = response_headers(response);
    uint32_t list[2];
    fields_entries(header_fields, (int32_t)list);
    struct pair *entries = (struct pair *)list[0];
    for (uint32_t i = 0; i < list[1]; i++) {
        // header names come as Go's client writes them (Content-Type): compare without case
        if (entries[i].name_len == 12 && strncasecmp(entries[i].name, "content-type", 12) == 0) {
            printf("content-type %.*s\n", entries[i].value_len, entries[i].value);
        }
    }
    drop_fields(header_fields);
    uint32_t consumed[2];
    response_consume(response, (int32_t)consumed);
    if (consumed[0] != 0) {
        fprintf(stderr, "no response body\n");
        return 1;
    }
    for (;;) {
        uint32_t chunk[4];
        stream_read((int32_t)consumed[1], 4096, (int32_t)chunk);
        if (chunk[0] != 0) {
            fprintf(stderr, "body read failed\n");
            return 1;
        }
        fwrite((void *)chunk[1], 1, chunk[2], stdout);
        free((void *)chunk[1]);
        if (chunk[3] == 0) break; // 0: the stream is at its end (the ABI's convention)
    }
    drop_input_stream((int32_t)consumed[1]);
    drop_incoming_response(response);
    drop_outgoing_request(request);
    return 0;
}
