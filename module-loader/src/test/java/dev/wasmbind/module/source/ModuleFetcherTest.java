package dev.wasmbind.module.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.source.FetchException.Reason;
import dev.wasmbind.module.testing.TestWasm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleFetcherTest {

    @TempDir Path dir;

    private ModuleFetcher fetcher(long maxBytes) {
        return ModuleFetcher.builder()
                .withSource("file", new FileSource(dir))
                .withMaxModuleBytes(maxBytes)
                .build();
    }

    @Test
    void shouldFetchAbsoluteAndRelativeFileUrlsWithTheirDigest() throws Exception {
        byte[] bytes = TestWasm.emptyCommand();
        Path file = Files.createDirectories(dir.resolve("modules")).resolve("m.wasm");
        Files.write(file, bytes);

        FetchedModule absolute = fetcher(1024).fetch(FetchRequest.of(file.toUri()));
        FetchedModule relative =
                fetcher(1024).fetch(FetchRequest.of(URI.create("file://modules/m.wasm")));

        assertThat(absolute.bytes()).isEqualTo(bytes);
        assertThat(relative.bytes()).isEqualTo(bytes);
        assertThat(absolute.sha256()).isEqualTo(Digests.sha256Hex(bytes)).hasSize(64);
        assertThat(absolute.digest()).isEqualTo("sha256:" + absolute.sha256());
        assertThat(relative.resolvedFrom()).isEqualTo(file.toString());
    }

    @Test
    void shouldEnforceTheSha256Pin() throws Exception {
        Path file = Files.write(dir.resolve("m.wasm"), TestWasm.emptyCommand());
        String right = Digests.sha256Hex(Files.readAllBytes(file));
        String wrong = "0".repeat(64);

        assertThat(
                        fetcher(1024)
                                .fetch(
                                        FetchRequest.of(file.toUri())
                                                .withExpectedSha256(
                                                        "sha256:" + right.toUpperCase()))
                                .sha256())
                .isEqualTo(right);
        assertThatThrownBy(
                        () ->
                                fetcher(1024)
                                        .fetch(
                                                FetchRequest.of(file.toUri())
                                                        .withExpectedSha256(wrong)))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH))
                .hasMessageContaining("has sha256 " + right)
                .hasMessageContaining("pins " + wrong);
    }

    @Test
    void shouldRefuseMissingFilesOversizedFilesAndUnknownSchemes() throws Exception {
        Path file = Files.write(dir.resolve("big.wasm"), new byte[2048]);

        assertThatThrownBy(() -> fetcher(1024).fetch(FetchRequest.of(file.toUri())))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
        assertThatThrownBy(
                        () ->
                                fetcher(4096)
                                        .fetch(FetchRequest.of(dir.resolve("nope.wasm").toUri())))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
                .hasMessageContaining("nope.wasm does not exist");
        assertThatThrownBy(
                        () -> fetcher(4096).fetch(FetchRequest.of(URI.create("ftp://host/m.wasm"))))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_SCHEME))
                .hasMessageContaining("'ftp'");
    }
}
