// sleep: sleeps argv[1] milliseconds (nanosleep, i.e. WASI poll_oneoff), then prints "slept".
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    if (nanosleep(&ts, NULL) != 0) {
        perror("sleep: nanosleep");
        return 1;
    }
    puts("slept");
    return 0;
}
