package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.source.FetchedModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod's emptyDir of modules: {@code sha256/<hex>.wasm} (content-addressed) and {@code
 * bindings.json}, the last view the sidecar applied in full. It survives container restarts, so a
 * restarted sidecar serves at once even when the module service is down.
 *
 * <p>Every file is written to a temporary file beside it, forced to disk and renamed into place
 * (readers see the old file or the new one, never half of one); modules are checked against their
 * digest before they are written, after, and whenever they are read back.
 */
public final class ModulesDir {

    private static final Logger LOG = LoggerFactory.getLogger(ModulesDir.class);
    static final String VIEW_FILE = "bindings.json";

    private final Path root;
    private final Path modules;

    private ModulesDir(Path root) {
        this.root = root;
        this.modules = root.resolve("sha256");
    }

    /** Opens (and creates) the folder. */
    public static ModulesDir open(Path root) throws IOException {
        var dir = new ModulesDir(root);
        Files.createDirectories(dir.modules);
        return dir;
    }

    public Path root() {
        return root;
    }

    Path moduleFile(String sha256) {
        return modules.resolve(Digests.normalizeSha256(sha256) + ".wasm");
    }

    /**
     * The module of that digest when the folder holds it intact. A file whose content does not
     * match its name (tampered with, or cut short) is deleted and reported absent.
     */
    public Optional<FetchedModule> read(String sha256) throws IOException {
        Path file = moduleFile(sha256);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String actual = Digests.sha256Hex(bytes);
        if (!actual.equals(Digests.normalizeSha256(sha256))) {
            LOG.warn(
                    "{} holds content of sha256:{}, not what its name says; deleting it",
                    file,
                    actual);
            Files.deleteIfExists(file);
            return Optional.empty();
        }
        return Optional.of(new FetchedModule(bytes, actual, file.toString()));
    }

    /**
     * Stores a module under its digest.
     *
     * @throws DigestMismatchException when {@code bytes} are not what {@code sha256} names, before
     *     or after the write (nothing is left in place then)
     */
    public FetchedModule write(String sha256, byte[] bytes) throws IOException {
        String expected = Digests.normalizeSha256(sha256);
        String actual = Digests.sha256Hex(bytes);
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual);
        }
        Path file = moduleFile(expected);
        writeAtomically(file, bytes);
        String written = Digests.sha256Hex(Files.readAllBytes(file));
        if (!written.equals(expected)) {
            Files.deleteIfExists(file);
            throw new DigestMismatchException(expected, written);
        }
        return new FetchedModule(bytes, expected, file.toString());
    }

    /** The last applied view as written by {@link #writeView}, if any. */
    public Optional<byte[]> readView() throws IOException {
        try {
            return Optional.of(Files.readAllBytes(root.resolve(VIEW_FILE)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void writeView(byte[] json) throws IOException {
        writeAtomically(root.resolve(VIEW_FILE), json);
    }

    /** Deletes the modules no binding uses any more (an emptyDir has a size limit). */
    public void retainOnly(Set<String> sha256s) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(modules)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String hex = name.endsWith(".wasm") ? name.substring(0, name.length() - 5) : null;
                if (hex == null || !sha256s.contains(hex)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), ".tmp-", ".part");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(
                        temp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target.getParent() + " does not support atomic renames", e);
            }
            forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Makes the rename itself durable; not every platform can open a folder (ignored there). */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force {}: {}", dir, e.toString());
        }
    }

    /** Content that is not what its digest says. */
    public static final class DigestMismatchException extends IOException {
        DigestMismatchException(String expected, String actual) {
            super("content has sha256:" + actual + ", not the expected sha256:" + expected);
        }
    }
}
