// grey: reads a PNG or JPEG image on STDIN, writes it as a greyscale PNG on STDOUT.
//
// Luma with ITU-R BT.601 weights (Y = 0.299 R + 0.587 G + 0.114 B), in 16.16 fixed point so
// that every platform gives the same bytes. The output has one channel (8-bit grey) unless the
// input has an alpha channel, which is kept (grey + alpha).
//
// Exit codes: 0 done; 1 I/O error or out of memory; 2 STDIN is not a decodable image.
// Decoding and encoding: Sean Barrett's stb_image / stb_image_write (public domain), from
// Debian's libstb-dev headers.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

// Largest input accepted; the binding's limits.maxRequestBytes is the real bound.
#define GREY_MAX_INPUT (64u * 1024 * 1024)

static unsigned char *read_all(FILE *in, size_t *length) {
    size_t capacity = 64 * 1024, used = 0;
    unsigned char *buffer = malloc(capacity);
    while (buffer != NULL) {
        used += fread(buffer + used, 1, capacity - used, in);
        if (used < capacity) {
            if (ferror(in)) {
                break;
            }
            *length = used;
            return buffer;
        }
        if (capacity >= GREY_MAX_INPUT) {
            break;
        }
        unsigned char *bigger = realloc(buffer, capacity * 2);
        if (bigger == NULL) {
            break;
        }
        buffer = bigger;
        capacity *= 2;
    }
    free(buffer);
    return NULL;
}

static void write_stdout(void *context, void *data, int size) {
    (void)context;
    if (fwrite(data, 1, (size_t)size, stdout) != (size_t)size) {
        exit(1);
    }
}

int main(void) {
    size_t length;
    unsigned char *input = read_all(stdin, &length);
    if (input == NULL) {
        fputs("grey: cannot read STDIN (too large or out of memory)\n", stderr);
        return 1;
    }
    int width, height, channels;
    unsigned char *rgba = stbi_load_from_memory(input, (int)length, &width, &height, &channels, 4);
    free(input);
    if (rgba == NULL) {
        fprintf(stderr, "grey: not a PNG or JPEG image: %s\n", stbi_failure_reason());
        return 2;
    }
    int keep_alpha = channels == 2 || channels == 4;
    int out_channels = keep_alpha ? 2 : 1;
    size_t pixels = (size_t)width * (size_t)height;
    unsigned char *out = malloc(pixels * (size_t)out_channels);
    if (out == NULL) {
        fputs("grey: out of memory\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < pixels; i++) {
        const unsigned char *p = rgba + 4 * i;
        // 0.299, 0.587, 0.114 scaled by 65536 (sum 65536), rounded to nearest.
        unsigned luma = (19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 32768u) >> 16;
        out[out_channels * i] = (unsigned char)luma;
        if (keep_alpha) {
            out[out_channels * i + 1] = p[3];
        }
    }
    stbi_image_free(rgba);
    if (!stbi_write_png_to_func(write_stdout, NULL, width, height, out_channels, out,
                                width * out_channels)) {
        fputs("grey: cannot encode the PNG\n", stderr);
        return 1;
    }
    free(out);
    return fflush(stdout) == 0 ? 0 : 1;
}
