// hello: the program behind the example request on Dapr's bindings.wasm page.
// There the module is a Ruby interpreter run as `ruby -ne 'print "Hello, "; print'`: for every
// line of STDIN, print "Hello, " and then the line as read (its newline kept, if it has one).
// This C program does the same without the interpreter, and ignores its arguments.
// The request's `data` reaches STDIN JSON-encoded, so "data":"salaboy" prints Hello, "salaboy".
#include <stdio.h>

int main(void) {
    int c;
    int at_line_start = 1;
    while ((c = getchar()) != EOF) {
        if (at_line_start) fputs("Hello, ", stdout);
        putchar(c);
        at_line_start = (c == '\n');
    }
    return 0;
}
