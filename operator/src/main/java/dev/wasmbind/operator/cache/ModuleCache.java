package dev.wasmbind.operator.cache;

import dev.wasmbind.module.source.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed module store: {@code <root>/sha256/<hex>}. A module is written to {@code
 * <root>/tmp} and renamed into place, so a crash never leaves a partial module under its digest;
 * leftovers in {@code tmp} are removed at start. Modules no binding references any more are deleted
 * by {@link #collectGarbage} once they have been unreferenced for a grace period.
 *
 * <p>With a size cap, storing a module that takes the cache over it first evicts modules no binding
 * references, least recently used first (a module counts as unreferenced once a collector pass has
 * seen no binding name it; referenced modules are never evicted, so the cap can be exceeded when
 * all modules are in use, and the emptyDir's own limit must stay above the cap).
 */
public final class ModuleCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleCache.class);

    private final Path modules;
    private final Path tmp;
    private final Clock clock;
    private final Map<String, Instant> unreferencedSince = new ConcurrentHashMap<>();
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private final AtomicLong evictions = new AtomicLong();
    private final long maxBytes;

    /** Opens (creating if needed) a cache under {@code root}, without a size cap. */
    public ModuleCache(Path root, Clock clock) throws IOException {
        this(root, clock, 0);
    }

    /**
     * Opens (creating if needed) a cache under {@code root} that evicts unreferenced modules beyond
     * {@code maxBytes} (0: no cap).
     */
    public ModuleCache(Path root, Clock clock, long maxBytes) throws IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be 0 (no cap) or positive");
        }
        this.maxBytes = maxBytes;
        this.modules = Files.createDirectories(root.resolve("sha256"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.clock = clock;
        removeLeftovers();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(modules)) {
            for (Path file : files) {
                String hex = file.getFileName().toString();
                if (isHex(hex)) {
                    remember(hex, Files.size(file));
                    lastUsed.put(hex, Files.getLastModifiedTime(file).toInstant());
                }
            }
        }
    }

    public Path pathOf(String sha256Hex) {
        return modules.resolve(Digests.normalizeSha256(sha256Hex));
    }

    public boolean contains(String sha256Hex) {
        return sizes.containsKey(Digests.normalizeSha256(sha256Hex))
                && Files.exists(pathOf(sha256Hex));
    }

    public Optional<byte[]> read(String sha256Hex) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(pathOf(sha256Hex));
            lastUsed.put(Digests.normalizeSha256(sha256Hex), clock.instant());
            return Optional.of(bytes);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores {@code bytes} under {@code sha256Hex} (which the caller computed from them). Storing a
     * digest that is already present does nothing.
     */
    public Path store(String sha256Hex, byte[] bytes) throws IOException {
        String hex = Digests.normalizeSha256(sha256Hex);
        Path target = modules.resolve(hex);
        unreferencedSince.remove(hex);
        lastUsed.put(hex, clock.instant());
        if (Files.exists(target)) {
            remember(hex, bytes.length);
            return target;
        }
        evictFor(bytes.length);
        Path temp = Files.createTempFile(tmp, hex + ".", ".part");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                out.write(bytes);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                // Another thread stored the same content first: same bytes, nothing to do.
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache folder must allow atomic renames: " + tmp, e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        remember(hex, bytes.length);
        return target;
    }

    /** The size cap in bytes; 0 when there is none. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Modules evicted to stay under the cap since start. */
    public long evictions() {
        return evictions.get();
    }

    /**
     * Makes room for {@code incoming} bytes under the cap: deletes unreferenced modules, least
     * recently used first, until the cache fits or nothing unreferenced is left.
     */
    private synchronized void evictFor(long incoming) throws IOException {
        if (maxBytes == 0 || totalBytes.get() + incoming <= maxBytes) {
            return;
        }
        List<String> candidates =
                unreferencedSince.keySet().stream()
                        .filter(sizes::containsKey)
                        .sorted(
                                java.util.Comparator.comparing(
                                        (String h) -> lastUsed.getOrDefault(h, Instant.EPOCH)))
                        .toList();
        List<String> evicted = new ArrayList<>();
        for (String hex : candidates) {
            if (totalBytes.get() + incoming <= maxBytes) {
                break;
            }
            Files.deleteIfExists(modules.resolve(hex));
            forget(hex);
            evictions.incrementAndGet();
            evicted.add(hex);
        }
        if (!evicted.isEmpty()) {
            LOG.info(
                    "cache over its cap of {} bytes: evicted {} unreferenced module(s): {}",
                    maxBytes,
                    evicted.size(),
                    evicted);
        }
        if (totalBytes.get() + incoming > maxBytes) {
            LOG.warn(
                    "cache holds {} bytes of modules bindings reference; storing {} more goes over"
                            + " its cap of {} bytes",
                    totalBytes.get(),
                    incoming,
                    maxBytes);
        }
    }

    /** Number of modules stored. */
    public int moduleCount() {
        return sizes.size();
    }

    /** Bytes of all modules stored. */
    public long totalBytes() {
        return totalBytes.get();
    }

    /**
     * Deletes modules that no binding has referenced for at least {@code grace}: the first call
     * that finds a module unreferenced starts its clock, a later call deletes it. A module stored
     * or referenced again in between is kept.
     *
     * @param referenced lowercase hex digests some binding's status names
     * @return the digests deleted
     */
    public List<String> collectGarbage(Set<String> referenced, Duration grace) throws IOException {
        Instant now = clock.instant();
        List<String> deleted = new ArrayList<>();
        for (String hex : List.copyOf(sizes.keySet())) {
            if (referenced.contains(hex)) {
                unreferencedSince.remove(hex);
                continue;
            }
            Instant since = unreferencedSince.computeIfAbsent(hex, h -> now);
            if (!now.isBefore(since.plus(grace))) {
                Files.deleteIfExists(modules.resolve(hex));
                forget(hex);
                deleted.add(hex);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("cache GC deleted {} unreferenced module(s): {}", deleted.size(), deleted);
        }
        // A cap lowered across a restart, or modules stored while all were referenced.
        evictFor(0);
        return deleted;
    }

    private void remember(String hex, long size) {
        Long previous = sizes.put(hex, size);
        totalBytes.addAndGet(size - (previous == null ? 0 : previous));
    }

    private void forget(String hex) {
        Long previous = sizes.remove(hex);
        unreferencedSince.remove(hex);
        lastUsed.remove(hex);
        if (previous != null) {
            totalBytes.addAndGet(-previous);
        }
    }

    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path file : files) {
                LOG.info("removing partial module left by an earlier run: {}", file);
                Files.deleteIfExists(file);
            }
        }
    }

    private static boolean isHex(String name) {
        return name.matches("[0-9a-f]{64}");
    }
}
