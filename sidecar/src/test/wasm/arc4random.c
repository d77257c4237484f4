// arc4random: skips 8 bytes of wasi-libc's arc4random_buf and prints the next 5 as hex, the way a
// TinyGo program's crypto/rand.Read of 5 bytes sees them (TinyGo's crypto/rand calls
// arc4random_buf on WASI, and its runtime has drawn 8 bytes before main runs). wasi-libc keys its
// ChaCha20 generator from random_get, so in the strict sandbox the output is fixed: Dapr's own
// strict-mode test (a TinyGo guest, components-contrib common/wasm) expects 3e0a4fc818.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    unsigned char runtime_seed[8];
    arc4random_buf(runtime_seed, sizeof runtime_seed);
    unsigned char random[5];
    arc4random_buf(random, sizeof random);
    for (size_t i = 0; i < sizeof random; i++) printf("%02x", random[i]);
    putchar('\n');
    return 0;
}
