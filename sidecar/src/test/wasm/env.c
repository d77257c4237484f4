// env: prints KEY=VALUE for every environment variable (sorted, byte order), then every argv
// entry, argv[0] included, each on its own line.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int by_bytes(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    size_t count = 0;
    while (environ && environ[count]) count++;
    char **sorted = malloc((count + 1) * sizeof *sorted);
    if (sorted == NULL) return 1;
    for (size_t i = 0; i < count; i++) sorted[i] = environ[i];
    qsort(sorted, count, sizeof *sorted, by_bytes);
    for (size_t i = 0; i < count; i++) puts(sorted[i]);
    for (int i = 0; i < argc; i++) puts(argv[i]);
    return 0;
}
