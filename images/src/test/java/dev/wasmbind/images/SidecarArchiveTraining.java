package dev.wasmbind.images;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes the sidecar image's AOT cache (JDK 25, JEP 483/514/515: the JDK's classes the sidecar uses
 * and its own, loaded and linked, with the training's method profiles; docs/images.md "The
 * runtime"). One training run: the image's entrypoint in its root filesystem, with {@code
 * -XX:AOTCacheOutput} instead of {@code -XX:AOTCache}, serves the example bindings and, once every
 * module runs compiled, gets the requests of {@code scripts/sidecar-training-calls.txt} (the same
 * as {@code scripts/run-standalone.sh}'s training), so the request path is in the cache; stopped
 * with SIGTERM, as a container engine stops it, the JVM writes the cache as it exits. The cache is
 * only valid for the JVM that wrote it (same JDK build, same jar path, size and time), which is why
 * it is made by the image's own JVM and not by the build machine's.
 *
 * <p>Usage: {@code SidecarArchiveTraining IMAGE.tar EXAMPLES_DIR TRAINING_CALLS OUTPUT.aot}. Run by
 * the image-tarballs profile (images/pom.xml) between the two builds of the sidecar image.
 */
public final class SidecarArchiveTraining {

    static final String ARCHIVE_FLAG = "-XX:AOTCache=";
    static final String TRAINED_ARCHIVE = "/wasmbind-training/wasmbind-sidecar.aot";

    /** Where {@link #copyExamples} puts the example bindings in the root filesystem. */
    static final String EXAMPLES = "/srv/examples/bindings";

    private SidecarArchiveTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException(
                    "usage: SidecarArchiveTraining IMAGE.tar EXAMPLES_DIR TRAINING_CALLS"
                            + " OUTPUT.aot");
        }
        Path image = Path.of(args[0]);
        Path examples = Path.of(args[1]);
        List<TrainingCall> calls = TrainingCall.parse(Files.readAllLines(Path.of(args[2])));
        Path output = Path.of(args[3]);
        String reason = Commands.whyRootfsCannotRun();
        if (reason != null) {
            System.out.println("[sidecar archive] not made, the image has none: " + reason);
            return;
        }
        Path work = output.toAbsolutePath().getParent().resolveSibling("sidecar-training");
        Commands.deleteTree(work);
        try {
            Path archive = train(image, examples, calls, work);
            Files.createDirectories(output.toAbsolutePath().getParent());
            Files.copy(archive, output, StandardCopyOption.REPLACE_EXISTING);
            System.out.println(
                    "[sidecar archive] " + output + " (" + Files.size(output) / 1024 + " KiB)");
        } finally {
            Commands.deleteTree(work);
        }
    }

    static Path train(Path tarball, Path examples, List<TrainingCall> calls, Path work)
            throws Exception {
        ImageArchive image = ImageArchive.open(tarball, work);
        Path rootfs = image.unpackInto(work.resolve("rootfs"));
        copyExamples(examples, rootfs);
        // The image's user writes the cache into a folder it owns.
        Path out = Files.createDirectories(rootfs.resolve("wasmbind-training"));
        String[] user = image.user().split(":");
        Files.setAttribute(out, "unix:uid", Integer.parseInt(user[0]));
        String log = train(image, rootfs, trainingEntrypoint(image.entrypoint()), calls, work);
        Path cache = rootfs.resolve(TRAINED_ARCHIVE.substring(1));
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException(
                    "the training run wrote no AOT cache; its log:\n" + log);
        }
        return cache;
    }

    /**
     * The image's entrypoint writing the cache as it exits: {@code -XX:AOTCacheOutput} in place of
     * {@code -XX:AOTCache}, AOT and CDS logging left on (it explains a failed training).
     */
    static List<String> trainingEntrypoint(List<String> entrypoint) {
        List<String> training = new ArrayList<>();
        boolean archived = false;
        for (String arg : entrypoint) {
            if (arg.startsWith("-Xlog:cds") || arg.startsWith("-Xlog:aot")) {
                continue;
            }
            if (arg.startsWith(ARCHIVE_FLAG)) {
                training.add("-XX:AOTCacheOutput=" + TRAINED_ARCHIVE);
                archived = true;
            } else {
                training.add(arg);
            }
        }
        if (!archived) {
            throw new IllegalStateException(
                    "the sidecar image's entrypoint has no " + ARCHIVE_FLAG + ": " + entrypoint);
        }
        return training;
    }

    /** The training run; returns its log. */
    private static String train(
            ImageArchive image,
            Path rootfs,
            List<String> entrypoint,
            List<TrainingCall> calls,
            Path work)
            throws Exception {
        int port = Http.freePort();
        String base = "http://127.0.0.1:" + port;
        long modules;
        try (var yaml = Files.list(rootfs.resolve(EXAMPLES.substring(1)))) {
            modules = yaml.filter(f -> f.toString().endsWith(".yaml")).count();
        }
        try (RootfsProcess sidecar =
                RootfsProcess.start(
                        image,
                        rootfs,
                        entrypoint,
                        sidecarArgs(port),
                        Map.of(),
                        work.resolve("sidecar.log"))) {
            awaitReady(sidecar, base + "/v1.0/healthz", Duration.ofMinutes(2));
            awaitCompiled(sidecar, modules, Duration.ofSeconds(60));
            for (TrainingCall call : calls) {
                call.send(base);
            }
            // The JVM writes the cache as it exits (a second JVM it starts assembles it).
            int exit = sidecar.stop();
            System.out.println("[sidecar archive] training run exited with " + exit);
            return sidecar.log();
        }
    }

    /**
     * Waits until the log says {@code modules} bindings run compiled, so the training's requests
     * take the compiled path the sidecar's later calls take; a module that never compiles (too
     * large) stays interpreted, so this gives up after {@code atMost} and the training goes on.
     */
    static void awaitCompiled(RootfsProcess process, long modules, Duration atMost)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(atMost);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            if (process.log().split("now runs compiled", -1).length - 1 >= modules) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** One request of the training, a line {@code METHOD PATH [BODY]} of the calls file. */
    record TrainingCall(String method, String path, String body) {

        static List<TrainingCall> parse(List<String> lines) {
            List<TrainingCall> calls = new ArrayList<>();
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ", 3);
                if (parts.length < 2 || !List.of("GET", "POST").contains(parts[0])) {
                    throw new IllegalArgumentException("not METHOD PATH [BODY]: " + line);
                }
                calls.add(new TrainingCall(parts[0], parts[1], parts.length > 2 ? parts[2] : ""));
            }
            return calls;
        }

        void send(String base) throws IOException, InterruptedException {
            if (method.equals("GET")) {
                Http.status(base + path);
            } else {
                Http.post(base + path, body);
            }
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

    /**
     * The examples, the HTTP API on {@code port} and the gRPC API on a free port: its default,
     * 50001, may be taken on a build machine (a verify once failed on a sidecar someone else ran).
     */
    static List<String> sidecarArgs(int port) throws IOException {
        return sidecarArgs(port, EXAMPLES);
    }

    /** As {@link #sidecarArgs(int)}, serving the bindings in {@code resources}. */
    static List<String> sidecarArgs(int port, String resources) throws IOException {
        return List.of(
                "--resources",
                resources,
                "--http-port",
                String.valueOf(port),
                "--grpc-port",
                String.valueOf(Http.freePort()),
                "--listen-address",
                "127.0.0.1");
    }

    /**
     * Polls {@code url} (on 127.0.0.1) every 2 ms with {@link Http#probe} until it answers 2xx;
     * fails with the log when the process exits first.
     */
    static Duration awaitReady(RootfsProcess process, String url, Duration atMost)
            throws InterruptedException {
        URI target = URI.create(url);
        Instant start = Instant.now();
        Instant deadline = start.plus(atMost);
        while (Instant.now().isBefore(deadline)) {
            int status = Http.probe(target.getPort(), target.getRawPath());
            if (status >= 200 && status < 300) {
                return Duration.between(start, Instant.now());
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "exited before " + url + " answered; its log:\n" + process.log());
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException(
                url + " did not answer within " + atMost + "; log:\n" + process.log());
    }
}
