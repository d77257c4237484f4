package dev.wasmbind.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An image's entrypoint run the way a container engine would, without one: in the image's root
 * filesystem (chroot), as the image's user, with its environment and working directory, in a
 * private mount namespace holding fresh /proc, /sys, /tmp and a /dev of the usual device nodes. The
 * network is the host's, so 127.0.0.1 reaches the test. The mounts vanish with the process.
 */
final class RootfsProcess implements AutoCloseable {

    /**
     * Mounts what the JVM needs inside the root filesystem, then enters it as the image's user. The
     * JDK's launcher finds libjli.so through /proc/self/exe, so /proc is not optional.
     */
    private static final String ENTER =
            """
            set -e
            root=$1; dir=$2; uid=$3; gid=$4; shift 4
            mount -t proc proc "$root/proc"
            mount -t sysfs -o ro sysfs "$root/sys"
            mount -t tmpfs -o mode=0755 tmpfs "$root/dev"
            for node in null zero full random urandom tty; do
                : > "$root/dev/$node"
                mount --bind "/dev/$node" "$root/dev/$node"
            done
            mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
            exec /usr/bin/unshare --root="$root" --wd="$dir" --setgid="$gid" --setuid="$uid" -- "$@"
            """;

    private final Process process;
    private final Path log;

    private RootfsProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code image}'s entrypoint in {@code rootfs}; {@code args} replace the image's command
     * (as {@code docker run IMAGE ARGS} does), {@code env} adds to or replaces the image's
     * variables. Output goes to {@code log}.
     */
    static RootfsProcess start(
            ImageArchive image, Path rootfs, List<String> args, Map<String, String> env, Path log)
            throws IOException {
        return start(image, rootfs, image.entrypoint(), args, env, log);
    }

    /** As {@link #start(ImageArchive, Path, List, Map, Path)} with another entrypoint. */
    static RootfsProcess start(
            ImageArchive image,
            Path rootfs,
            List<String> entrypoint,
            List<String> args,
            Map<String, String> env,
            Path log)
            throws IOException {
        String[] user = image.user().isEmpty() ? new String[] {"0"} : image.user().split(":");
        String uid = user[0];
        // Jib writes uid:gid; a bare uid gets the group of the same number.
        String gid = user.length > 1 ? user[1] : uid;
        List<String> command = new ArrayList<>();
        command.addAll(
                List.of(
                        "/usr/bin/unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "/bin/sh",
                        "-c",
                        ENTER,
                        "enter-rootfs",
                        rootfs.toString(),
                        image.workingDirectory(),
                        uid,
                        gid));
        command.addAll(entrypoint);
        command.addAll(args.isEmpty() ? image.command() : args);
        Map<String, String> environment = new LinkedHashMap<>(image.environment());
        environment.putAll(env);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        // The host's tools (unshare, mount) run before the switch: give them a PATH that has them.
        builder.environment()
                .putIfAbsent(
                        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return new RootfsProcess(builder.start(), log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; kills it after {@code atMost}. */
    int waitFor(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGTERM, as a container engine stops a container; waits for the exit. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
