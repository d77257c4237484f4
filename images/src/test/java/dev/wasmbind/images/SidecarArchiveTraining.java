package dev.wasmbind.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes the sidecar image's class-data archive (AppCDS, a dynamic archive on top of the JDK's own):
 * runs the image's entrypoint in its root filesystem with {@code -XX:ArchiveClassesAtExit} instead
 * of {@code -XX:SharedArchiveFile}, serves the example bindings, calls each once so the request
 * path's classes are loaded, and stops it. The archive is only valid for the JVM that wrote it
 * (same JDK build, same jar path, size and time), which is why it is made by the image's own JVM
 * and not by the build machine's.
 *
 * <p>Usage: {@code SidecarArchiveTraining IMAGE.tar EXAMPLES_DIR OUTPUT.jsa}. Run by the
 * image-tarballs profile (images/pom.xml) between the two builds of the sidecar image.
 */
public final class SidecarArchiveTraining {

    static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";
    static final List<String> EXAMPLE_CALLS =
            List.of(
                    "hello",
                    "{\"operation\":\"execute\",\"metadata\":{\"args\":\"-ne,print \\\"Hello,"
                            + " \\\"; print\"},\"data\":\"salaboy\"}",
                    "uppercase",
                    "{\"operation\":\"execute\",\"data\":{\"b\":2,\"a\":[1.5]}}",
                    "echo-args",
                    "{\"operation\":\"execute\",\"metadata\":{\"args\":\"one,two\"}}",
                    "json-greet",
                    "{\"operation\":\"execute\",\"data\":{\"name\":\"Ada\"}}",
                    "nope",
                    "{\"operation\":\"execute\"}");

    private SidecarArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException(
                    "usage: SidecarArchiveTraining IMAGE.tar EXAMPLES_DIR OUTPUT.jsa");
        }
        Path image = Path.of(args[0]);
        Path examples = Path.of(args[1]);
        Path output = Path.of(args[2]);
        String reason = Commands.whyRootfsCannotRun();
        if (reason != null) {
            System.out.println("[sidecar archive] not made, the image has none: " + reason);
            return;
        }
        Path work = output.toAbsolutePath().getParent().resolveSibling("sidecar-training");
        Commands.deleteTree(work);
        try {
            Path archive = train(image, examples, work);
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.copy(archive, output, StandardCopyOption.REPLACE_EXISTING);
            System.out.println(
                    "[sidecar archive] " + output + " (" + Files.size(output) / 1024 + " KiB)");
        } finally {
            Commands.deleteTree(work);
        }
    }

    static Path train(Path tarball, Path examples, Path work) throws Exception {
        ImageArchive image = ImageArchive.open(tarball, work);
        Path rootfs = image.unpackInto(work.resolve("rootfs"));
        copyExamples(examples, rootfs);
        // The image's user writes the archive into a folder of the root filesystem it owns.
        Path out = Files.createDirectories(rootfs.resolve("wasmbind-training"));
        String[] user = image.user().split(":");
        Files.setAttribute(out, "unix:uid", Integer.parseInt(user[0]));
        List<String> entrypoint = new ArrayList<>();
        for (String arg : image.entrypoint()) {
            if (arg.startsWith("-Xlog:cds")) {
                continue; // the entrypoint silences CDS; here its messages explain a failed dump
            }
            entrypoint.add(
                    arg.startsWith(ARCHIVE_FLAG)
                            ? "-XX:ArchiveClassesAtExit=/wasmbind-training/wasmbind-sidecar.jsa"
                            : arg);
        }
        if (!entrypoint.contains(
                "-XX:ArchiveClassesAtExit=/wasmbind-training/wasmbind-sidecar.jsa")) {
            throw new IllegalStateException(
                    "the sidecar image's entrypoint has no " + ARCHIVE_FLAG + ": " + entrypoint);
        }
        int port = Http.freePort();
        String base = "http://127.0.0.1:" + port;
        try (RootfsProcess sidecar =
                RootfsProcess.start(
                        image,
                        rootfs,
                        entrypoint,
                        sidecarArgs(port),
                        Map.of(),
                        work.resolve("sidecar.log"))) {
            awaitReady(sidecar, base + "/v1.0/healthz", Duration.ofMinutes(2));
            for (int i = 0; i < EXAMPLE_CALLS.size(); i += 2) {
                Http.post(
                        base + "/v1.0/bindings/" + EXAMPLE_CALLS.get(i), EXAMPLE_CALLS.get(i + 1));
            }
            Http.status(base + "/v1.0/metadata");
            Http.status(base + "/metrics");
            int exit = sidecar.stop();
            Path archive = out.resolve("wasmbind-sidecar.jsa");
            if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
                throw new IllegalStateException(
                        "the sidecar exited ("
                                + exit
                                + ") without writing its archive; its log:\n"
                                + sidecar.log());
            }
            return archive;
        }
    }

    /** The examples at /srv/examples in the root filesystem, readable by anyone. */
    static void copyExamples(Path examples, Path rootfs) throws IOException {
        Path target = Files.createDirectories(rootfs.resolve("srv"));
        Commands.run(
                List.of(
                        "cp",
                        "-r",
                        "--no-preserve=ownership",
                        examples.toString(),
                        target.resolve("examples").toString()));
        Commands.run(List.of("chmod", "-R", "a+rX", target.resolve("examples").toString()));
    }

    static List<String> sidecarArgs(int port) {
        return List.of(
                "--resources",
                "/srv/examples/bindings",
                "--http-port",
                String.valueOf(port),
                "--listen-address",
                "127.0.0.1");
    }

    /** Polls until {@code url} answers 2xx; fails with the log when the process exits first. */
    static Duration awaitReady(RootfsProcess process, String url, Duration atMost)
            throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(atMost);
        while (Instant.now().isBefore(deadline)) {
            int status = Http.status(url);
            if (status >= 200 && status < 300) {
                return Duration.between(start, Instant.now());
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "exited before " + url + " answered; its log:\n" + process.log());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(
                url + " did not answer within " + atMost + "; log:\n" + process.log());
    }
}
