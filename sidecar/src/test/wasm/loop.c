// loop: a runaway guest that never returns. The volatile counter keeps clang from
// proving the loop has no effect and removing it.
int main(void) {
    volatile unsigned long counter = 0;
    for (;;) counter++;
}
