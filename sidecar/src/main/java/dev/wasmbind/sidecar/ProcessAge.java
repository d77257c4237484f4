package dev.wasmbind.sidecar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * How long ago this process started, for the "listening" log line, read from Linux's {@code /proc}
 * (10 ms resolution, the launcher's time before the JVM included). Not the JVM's {@code
 * RuntimeMXBean}: its first use initialises {@code java.management}, 5-13 ms of the main thread
 * right before the sidecar answers its first request (docs/bench/startup.md, "Round 6"). Not {@code
 * ProcessHandle.Info.startInstant()} either: it adds the process's start to the boot time, which
 * Linux gives in whole seconds, so it is off by up to a second.
 */
final class ProcessAge {

    /**
     * Clock ticks per second of {@code /proc} (Linux's {@code USER_HZ}: 100 on every architecture a
     * JDK runs on).
     */
    private static final int TICKS_PER_SECOND = 100;

    private ProcessAge() {}

    /** Milliseconds since this process started; empty where {@code /proc} cannot tell. */
    static OptionalLong millis() {
        try {
            return OptionalLong.of(
                    millis(
                            Files.readString(Path.of("/proc/self/stat")),
                            Files.readString(Path.of("/proc/uptime"))));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The age a process's {@code stat} line (its start, field 22, in clock ticks after boot) and
     * the system's {@code uptime} line (seconds since boot, two decimals) give.
     *
     * @throws IllegalArgumentException when either is not in that form
     */
    static long millis(String stat, String uptime) {
        // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
        int nameEnd = stat.lastIndexOf(')');
        if (nameEnd < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] fieldsFrom3 = stat.substring(nameEnd + 2).split(" ");
        long startMillis = Long.parseLong(fieldsFrom3[22 - 3]) * 1000 / TICKS_PER_SECOND;
        int point = uptime.indexOf('.');
        if (point < 0 || uptime.length() < point + 3) {
            throw new IllegalArgumentException("not a /proc uptime line: " + uptime);
        }
        long uptimeMillis =
                Long.parseLong(uptime.substring(0, point)) * 1000
                        + Long.parseLong(uptime.substring(point + 1, point + 3)) * 10;
        return uptimeMillis - startMillis;
    }
}
