// echo-args: prints argv[1..] separated by spaces, then a newline.
// argv is the binding's spec.args followed by the request's metadata.args (split on ',');
// argv[0], the program name, is left out like echo(1) does.
#include <stdio.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (i > 1) putchar(' ');
        fputs(argv[i], stdout);
    }
    putchar('\n');
    return 0;
}
