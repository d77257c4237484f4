// fail: writes argv[2] (or a fixed text) and a newline to STDERR, then exits with code argv[1]
// (default 1).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 1;
    fprintf(stderr, "%s\n", argc > 2 ? argv[2] : "fail: failing on purpose");
    return code;
}
