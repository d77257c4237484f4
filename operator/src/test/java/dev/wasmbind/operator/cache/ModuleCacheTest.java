package dev.wasmbind.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.module.source.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleCacheTest {

    @TempDir Path root;

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void shouldStoreModulesUnderTheirDigestAndCountThem() throws Exception {
        ModuleCache cache = new ModuleCache(root, Clock.systemUTC());
        byte[] bytes = {1, 2, 3};
        String hex = Digests.sha256Hex(bytes);

        Path stored = cache.store(hex, bytes);
        cache.store("sha256:" + hex, bytes);

        assertThat(stored).isEqualTo(root.resolve("sha256").resolve(hex));
        assertThat(Files.readAllBytes(stored)).isEqualTo(bytes);
        assertThat(cache.contains("sha256:" + hex)).isTrue();
        assertThat(cache.moduleCount()).isEqualTo(1);
        assertThat(cache.totalBytes()).isEqualTo(3);
        assertThat(root.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void shouldDropPartialWritesLeftByACrashAndReopenWhatWasStored() throws Exception {
        byte[] bytes = {9, 9};
        String hex = Digests.sha256Hex(bytes);
        new ModuleCache(root, Clock.systemUTC()).store(hex, bytes);
        Files.write(root.resolve("tmp").resolve(hex + ".123.part"), new byte[] {9});

        ModuleCache reopened = new ModuleCache(root, Clock.systemUTC());

        assertThat(root.resolve("tmp")).isEmptyDirectory();
        assertThat(reopened.contains(hex)).isTrue();
        assertThat(reopened.totalBytes()).isEqualTo(2);
    }

    @Test
    void shouldDeleteUnreferencedModulesOnlyAfterTheGracePeriod() throws Exception {
        ManualClock clock = new ManualClock();
        ModuleCache cache = new ModuleCache(root, clock);
        byte[] used = {1};
        byte[] unused = {2};
        String usedHex = Digests.sha256Hex(used);
        String unusedHex = Digests.sha256Hex(unused);
        cache.store(usedHex, used);
        cache.store(unusedHex, unused);
        Duration grace = Duration.ofMinutes(30);

        assertThat(cache.collectGarbage(Set.of(usedHex), grace)).isEmpty();
        clock.advance(Duration.ofMinutes(29));
        assertThat(cache.collectGarbage(Set.of(usedHex), grace)).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(cache.collectGarbage(Set.of(usedHex), grace)).containsExactly(unusedHex);

        assertThat(cache.contains(unusedHex)).isFalse();
        assertThat(cache.contains(usedHex)).isTrue();
        assertThat(cache.moduleCount()).isEqualTo(1);
        assertThat(cache.totalBytes()).isEqualTo(1);
    }

    @Test
    void shouldRestartTheGraceClockWhenAModuleIsReferencedAgain() throws Exception {
        ManualClock clock = new ManualClock();
        ModuleCache cache = new ModuleCache(root, clock);
        byte[] bytes = {7};
        String hex = Digests.sha256Hex(bytes);
        cache.store(hex, bytes);
        Duration grace = Duration.ofMinutes(10);

        cache.collectGarbage(Set.of(), grace);
        clock.advance(Duration.ofMinutes(9));
        cache.collectGarbage(Set.of(hex), grace); // referenced again: clock reset
        clock.advance(Duration.ofMinutes(9));
        assertThat(cache.collectGarbage(Set.of(), grace)).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(cache.collectGarbage(Set.of(), grace)).containsExactly(hex);
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedUnreferencedModulesToStayUnderItsCap() throws Exception {
        ManualClock clock = new ManualClock();
        ModuleCache cache = new ModuleCache(root, clock, 300);
        byte[] inUse = new byte[100];
        byte[] oldUnused = new byte[100];
        byte[] recentUnused = new byte[100];
        oldUnused[0] = 1;
        recentUnused[0] = 2;
        String inUseHex = store(cache, clock, inUse);
        String oldHex = store(cache, clock, oldUnused);
        String recentHex = store(cache, clock, recentUnused);
        // A collector pass: only inUse is referenced; the grace keeps the others for now.
        cache.collectGarbage(Set.of(inUseHex), Duration.ofDays(1));
        clock.advance(Duration.ofSeconds(1));
        cache.read(recentHex);

        byte[] incoming = new byte[100];
        incoming[0] = 3;
        String incomingHex = store(cache, clock, incoming);

        assertThat(cache.contains(oldHex)).isFalse();
        assertThat(cache.contains(recentHex)).isTrue();
        assertThat(cache.contains(inUseHex)).isTrue();
        assertThat(cache.contains(incomingHex)).isTrue();
        assertThat(cache.totalBytes()).isEqualTo(300);
        assertThat(cache.evictions()).isEqualTo(1);
        assertThat(Files.exists(cache.pathOf(oldHex))).isFalse();
    }

    @Test
    void shouldNeverEvictAReferencedModuleEvenOverItsCap() throws Exception {
        ManualClock clock = new ManualClock();
        ModuleCache cache = new ModuleCache(root, clock, 150);
        byte[] a = new byte[100];
        byte[] b = new byte[100];
        b[0] = 1;
        String aHex = store(cache, clock, a);
        cache.collectGarbage(Set.of(aHex), Duration.ofDays(1));

        String bHex = store(cache, clock, b);

        assertThat(cache.contains(aHex)).isTrue();
        assertThat(cache.contains(bHex)).isTrue();
        assertThat(cache.evictions()).isZero();
    }

    private static String store(ModuleCache cache, ManualClock clock, byte[] bytes)
            throws Exception {
        String hex = Digests.sha256Hex(bytes);
        cache.store(hex, bytes);
        clock.advance(Duration.ofSeconds(1));
        return hex;
    }
}
