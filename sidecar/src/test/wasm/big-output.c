// big-output: writes argv[1] bytes of 'x' to STDOUT (response-size limit tests).
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char chunk[64 * 1024];
    memset(chunk, 'x', sizeof chunk);
    long long left = argc > 1 ? strtoll(argv[1], NULL, 10) : 0;
    while (left > 0) {
        size_t n = left < (long long)sizeof chunk ? (size_t)left : sizeof chunk;
        ssize_t w = write(1, chunk, n);
        if (w < 0) return 1;
        left -= w;
    }
    return 0;
}
