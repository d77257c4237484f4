package dev.wasmbind.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Host commands the image test needs, and whether this machine can run an image's rootfs. */
final class Commands {

    private Commands() {}

    /** Runs a command to its end; its output is in the exception when it fails. */
    static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IOException(
                        String.join(" ", command) + " exited with " + exit + ":\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        return output;
    }

    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why this machine cannot run an image's root filesystem, or null when it can: mounting /proc
     * and switching root need root, and util-linux's unshare and GNU tar do the work.
     */
    static String whyRootfsCannotRun() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "running an image's root filesystem needs Linux";
        }
        if (!isRoot()) {
            return "running an image's root filesystem needs root (mount, chroot); run as root,"
                    + " as CI does";
        }
        for (String tool : List.of("unshare", "mount", "tar")) {
            if (!onPath(tool)) {
                return tool + " is missing: run scripts/setup.sh";
            }
        }
        return null;
    }

    /** Deletes a tree without crossing into another file system (a mount left behind). */
    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
        }
    }
}
