package dev.wasmbind.images;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: the measurement behind docs/bench/images.md, run only by scripts/bench-images.sh
 * (which sets {@code images.bench.output}). Image sizes as a registry stores them (compressed
 * layers) and the sidecar's start-to-ready time inside its image, with and without its class-data
 * archive, and the time entering the image's root filesystem takes alone. Nothing is asserted on
 * the times.
 */
class ImageStartupBenchIT {

    /** Where the hand-written reading notes start; a run rewrites only what comes before it. */
    static final String NOTES_HEADING = "## Reading these figures";

    private static final String EXAMPLES = SidecarArchiveTraining.EXAMPLES;
    private static final String START_UP = "/srv/start-up";

    private static final List<String> IMAGES =
            List.of("wasmbind-operator", "wasmbind-injector", "wasmbind-sidecar");

    @TempDir Path work;

    @Test
    void measure() throws Exception {
        String output = System.getProperty("images.bench.output", "");
        assumeTrue(!output.isBlank(), "a benchmark: run scripts/bench-images.sh");
        String reason = Commands.whyRootfsCannotRun();
        assumeTrue(reason == null, reason);
        int runs = Integer.getInteger("images.bench.runs", 7);

        StringBuilder report = new StringBuilder();
        report.append("# Container images: sizes and sidecar start-up\n\n")
                .append("Measured ")
                .append(LocalDate.now())
                .append(" by `scripts/bench-images.sh` (`ImageStartupBenchIT`) on ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, load average ")
                .append(Files.readString(Path.of("/proc/loadavg")).split(" ")[0])
                .append(" at the start, images built on the Debian trixie")
                .append(" openjdk-25-jre-headless base (`scripts/make-base-image.sh`).\n\n")
                .append("| Image | Layers | Compressed (registry) | of which the base |\n")
                .append("|---|---|---|---|\n");
        for (String name : IMAGES) {
            ImageArchive image =
                    ImageArchive.open(ImageTarballsIT.imageTarball(name), work.resolve(name));
            long base = Files.size(image.layers().get(0));
            report.append(
                    String.format(
                            "| %s | %d | %.1f MiB | %.1f MiB |%n",
                            name,
                            image.layers().size(),
                            image.storedLayerBytes() / 1048576.0,
                            base / 1048576.0));
        }

        ImageArchive sidecar =
                ImageArchive.open(
                        ImageTarballsIT.imageTarball("wasmbind-sidecar"), work.resolve("run"));
        Path rootfs = sidecar.unpackInto(work.resolve("rootfs"));
        Path root = Path.of(System.getProperty("wasmbind.root", ".."));
        SidecarArchiveTraining.copyExamples(root.resolve("examples"), rootfs);
        writeStartUpBindings(root, rootfs);
        long archiveBytes = Files.size(rootfs.resolve("app/wasmbind-sidecar.aot"));
        List<String> withoutArchive = new ArrayList<>();
        for (String arg : sidecar.entrypoint()) {
            if (!arg.startsWith(SidecarArchiveTraining.ARCHIVE_FLAG)) {
                withoutArchive.add(arg);
            }
        }
        // Alternate them so a change of machine load hits all alike.
        List<Long> with = new ArrayList<>();
        List<Long> withThree = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            with.add(timeToReady(sidecar, rootfs, sidecar.entrypoint(), EXAMPLES, i));
            withThree.add(timeToReady(sidecar, rootfs, sidecar.entrypoint(), START_UP, i));
            without.add(timeToReady(sidecar, rootfs, withoutArchive, EXAMPLES, i));
        }
        // What entering the root filesystem costs by itself, to subtract from the above.
        List<Long> enter = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            enter.add(timeToExit(sidecar, rootfs, List.of("/bin/true"), i));
        }
        report.append("\nSidecar, process start (`unshare` + `chroot` + the image's entrypoint) to")
                .append(" the first 204 of `/v1.0/healthz` with the four example bindings")
                .append(
                        " loaded (or the three of issue 12's measure, as `scripts/bench-startup.sh`")
                .append(" has them: uppercase.wasm as tiny, sha256, hello), ")
                .append(runs)
                .append(" runs each, alternating:\n\n")
                .append("| Sidecar image | median | min | max |\n|---|---|---|---|\n")
                .append(
                        row(
                                "with its AOT cache ("
                                        + archiveBytes / 1048576
                                        + " MiB), four example bindings",
                                with))
                .append(row("with its AOT cache, three bindings", withThree))
                .append(row("cache flag removed (JDK's default archive only), four", without))
                .append(row("`/bin/true` in place of the entrypoint (entering alone)", enter))
                .append("\nRaw (ms): with ")
                .append(with)
                .append(", with, three bindings ")
                .append(withThree)
                .append(", without ")
                .append(without)
                .append(", entering alone ")
                .append(enter)
                .append(".\n");
        Path out = Path.of(output);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report + notesKeptFrom(out));
        System.out.println(report);
        Commands.deleteTree(rootfs);
    }

    private long timeToReady(
            ImageArchive image, Path rootfs, List<String> entrypoint, String resources, int run)
            throws Exception {
        int port = Http.freePort();
        try (RootfsProcess process =
                RootfsProcess.start(
                        image,
                        rootfs,
                        entrypoint,
                        SidecarArchiveTraining.sidecarArgs(port, resources),
                        Map.of(),
                        work.resolve("sidecar-" + run + ".log"))) {
            Duration ready =
                    SidecarArchiveTraining.awaitReady(
                            process,
                            "http://127.0.0.1:" + port + "/v1.0/healthz",
                            Duration.ofMinutes(2));
            return ready.toMillis();
        }
    }

    /**
     * Issue 12's three bindings (scripts/bench-bindings.sh, {@code write_start_up_bindings}) at
     * {@link #START_UP} in the root filesystem, their modules beside them.
     */
    private static void writeStartUpBindings(Path root, Path rootfs) throws IOException {
        Path dir = Files.createDirectories(rootfs.resolve(START_UP.substring(1)));
        Map<String, Path> modules =
                Map.of(
                        "tiny", root.resolve("examples/bindings/modules/uppercase.wasm"),
                        "sha256", root.resolve("sidecar/src/test/resources/wasm/sha256.wasm"),
                        "hello", root.resolve("examples/bindings/modules/hello.wasm"));
        for (var binding : modules.entrySet()) {
            String file = binding.getValue().getFileName().toString();
            Files.copy(binding.getValue(), dir.resolve(file));
            Files.writeString(
                    dir.resolve(binding.getKey() + ".yaml"),
                    "apiVersion: wasmbind.dev/v1alpha1\nkind: WasmBinding\nmetadata:\n  name: "
                            + binding.getKey()
                            + "\nspec:\n  url: \"file://"
                            + START_UP
                            + "/"
                            + file
                            + "\"\n");
        }
        Commands.run(List.of("chmod", "-R", "a+rX", dir.toString()));
    }

    private long timeToExit(ImageArchive image, Path rootfs, List<String> command, int run)
            throws Exception {
        try (RootfsProcess process =
                RootfsProcess.start(
                        image,
                        rootfs,
                        command,
                        List.of(),
                        Map.of(),
                        work.resolve("enter-" + run))) {
            // From the same moment as timeToReady's clock: once the process has started.
            long start = System.nanoTime();
            int exit = process.waitFor(Duration.ofSeconds(30));
            if (exit != 0) {
                throw new IllegalStateException(
                        command + " exited with " + exit + ": " + process.log());
            }
            return Duration.ofNanos(System.nanoTime() - start).toMillis();
        }
    }

    /**
     * The hand-written notes of {@code out} (from {@link #NOTES_HEADING} on), kept by a new run.
     */
    static String notesKeptFrom(Path out) throws IOException {
        if (!Files.exists(out)) {
            return "";
        }
        String previous = Files.readString(out);
        int notes = previous.indexOf("\n" + NOTES_HEADING);
        return notes < 0 ? "" : "\n" + previous.substring(notes + 1);
    }

    private static String row(String what, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return String.format(
                "| %s | %d ms | %d ms | %d ms |%n",
                what, sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
