// unknown-import: a command module that also imports env.host_magic, a function no WASI
// runtime provides. The validator must name that import when it refuses the module.
#include <stdio.h>

__attribute__((import_module("env"), import_name("host_magic"))) int host_magic(void);

int main(void) {
    printf("%d\n", host_magic());
    return 0;
}
