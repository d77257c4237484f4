// leftovers: prints what earlier calls could have left in memory, then leaves traces of its own.
// A fresh memory per call prints "calls=1 data=fresh heap=0" every time: a zero-initialised
// counter (.bss), an initialised string (data segment) and a malloc'd block it never wrote.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int calls;
static char data[] = "fresh";

int main(void) {
    calls++;
    volatile unsigned char *heap = malloc(4096);
    if (heap == NULL) return 1;
    unsigned sum = 0;
    for (int i = 0; i < 4096; i++) sum += heap[i];
    printf("calls=%d data=%s heap=%u\n", calls, data, sum);
    strcpy(data, "dirty");
    for (int i = 0; i < 4096; i++) heap[i] = 0xff;
    return 0;
}
