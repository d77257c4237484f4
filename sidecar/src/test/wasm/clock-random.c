// clock-random: prints, one per line, the wall clock (CLOCK_REALTIME, ns), the monotonic
// clock (CLOCK_MONOTONIC, ns) read twice, and 16 random bytes as hex. Strict-sandbox tests
// run it twice and expect identical output.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long nanos(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) return -1;
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    long long wall = nanos(CLOCK_REALTIME);
    long long mono1 = nanos(CLOCK_MONOTONIC);
    long long mono2 = nanos(CLOCK_MONOTONIC);
    unsigned char random[16];
    if (getentropy(random, sizeof random) != 0) {
        perror("clock-random: getentropy");
        return 1;
    }
    printf("%lld\n%lld\n%lld\n", wall, mono1, mono2);
    for (size_t i = 0; i < sizeof random; i++) printf("%02x", random[i]);
    putchar('\n');
    return 0;
}
