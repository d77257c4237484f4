// grow: allocates argv[1] MiB with malloc, writes to every 4 KiB page of it so the memory is
// really used, and prints "ok". When the allocation fails it says so on STDERR, exit code 1.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    size_t size = (size_t)mib * 1024 * 1024;
    volatile char *block = malloc(size);
    if (block == NULL) {
        fprintf(stderr, "grow: could not allocate %ld MiB\n", mib);
        return 1;
    }
    for (size_t i = 0; i < size; i += 4096) block[i] = (char)i;
    puts("ok");
    return 0;
}
