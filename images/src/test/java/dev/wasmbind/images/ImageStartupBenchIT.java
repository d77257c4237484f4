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
                .append(" at the start, images built on the Debian bookworm")
                .append(" openjdk-17-jre-headless base (`scripts/make-base-image.sh`).\n\n")
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
        SidecarArchiveTraining.copyExamples(
                Path.of(System.getProperty("wasmbind.root", "..")).resolve("examples"), rootfs);
        long archiveBytes = Files.size(rootfs.resolve("app/wasmbind-sidecar.jsa"));
        List<String> withoutArchive = new ArrayList<>();
        for (String arg : sidecar.entrypoint()) {
            if (!arg.startsWith(SidecarArchiveTraining.ARCHIVE_FLAG)) {
                withoutArchive.add(arg);
            }
        }
        // Alternate the two so a change of machine load hits both alike.
        List<Long> with = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            with.add(timeToReady(sidecar, rootfs, sidecar.entrypoint(), i));
            without.add(timeToReady(sidecar, rootfs, withoutArchive, i));
        }
        // What entering the root filesystem costs by itself, to subtract from the above.
        List<Long> enter = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            enter.add(timeToExit(sidecar, rootfs, List.of("/bin/true"), i));
        }
        report.append("\nSidecar, process start (`unshare` + `chroot` + the image's entrypoint) to")
                .append(" the first 204 of `/v1.0/healthz` with the four example bindings")
                .append(" loaded, ")
                .append(runs)
                .append(" runs each, alternating:\n\n")
                .append("| Sidecar image | median | min | max |\n|---|---|---|---|\n")
                .append(
                        row(
                                "with its class-data archive (" + archiveBytes / 1048576 + " MiB)",
                                with))
                .append(row("archive flag removed (JDK's default archive only)", without))
                .append(row("`/bin/true` in place of the entrypoint (entering alone)", enter))
                .append("\nRaw (ms): with ")
                .append(with)
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

    private long timeToReady(ImageArchive image, Path rootfs, List<String> entrypoint, int run)
            throws Exception {
        int port = Http.freePort();
        try (RootfsProcess process =
                RootfsProcess.start(
                        image,
                        rootfs,
                        entrypoint,
                        SidecarArchiveTraining.sidecarArgs(port),
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
