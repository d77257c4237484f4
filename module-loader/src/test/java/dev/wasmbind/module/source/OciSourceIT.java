package dev.wasmbind.module.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.source.FetchException.Reason;
import dev.wasmbind.module.testing.LocalRegistry;
import dev.wasmbind.module.testing.OciPush;
import dev.wasmbind.module.testing.OciPush.LayerSpec;
import dev.wasmbind.module.testing.TestWasm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import land.oras.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OciSource against a real registry (Debian's docker-registry) on 127.0.0.1. */
class OciSourceIT {

    private static LocalRegistry open;
    private static LocalRegistry locked;
    private static final byte[] WASM = TestWasm.emptyCommand();

    @BeforeAll
    static void startRegistries() throws Exception {
        // Without a logback config ORAS logs every request and header at DEBUG.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("land.oras"))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        open = LocalRegistry.start();
        locked = LocalRegistry.startWithAuth("puller", "s3cret-pass");
    }

    @AfterAll
    static void stopRegistries() {
        if (open != null) {
            open.close();
        }
        if (locked != null) {
            locked.close();
        }
    }

    private static ModuleFetcher fetcher(AddressGuard guard, long maxBytes) {
        return ModuleFetcher.builder()
                .withSource(
                        "oci",
                        OciSource.of(
                                FetchPolicy.builder()
                                        .withGuard(guard)
                                        .withInsecureRegistries(
                                                Set.of(open.hostPort(), locked.hostPort()))
                                        .build()))
                .withMaxModuleBytes(maxBytes)
                .build();
    }

    private static FetchedModule fetch(String url) throws FetchException {
        return fetcher(AddressGuard.ALLOW_ALL, 1 << 20).fetch(FetchRequest.of(URI.create(url)));
    }

    @Test
    void shouldPullACncfWasmArtifactByTag() throws Exception {
        Manifest manifest = OciPush.to(open).cncfWasm("wasm/hello:v1", WASM);

        FetchedModule module = fetch("oci://" + open.hostPort() + "/wasm/hello:v1");

        assertThat(module.bytes()).isEqualTo(WASM);
        assertThat(module.sha256()).isEqualTo(Digests.sha256Hex(WASM));
        assertThat(module.resolvedFrom())
                .isEqualTo(open.hostPort() + "/wasm/hello@" + manifest.getDigest());
    }

    @Test
    void shouldPullByManifestDigest() throws Exception {
        byte[] other = TestWasm.module().exportStart().exportMemory().bytes();
        Manifest manifest = OciPush.to(open).cncfWasm("wasm/pinned:v1", other);

        FetchedModule module =
                fetch("oci://" + open.hostPort() + "/wasm/pinned@" + manifest.getDigest());

        assertThat(module.bytes()).isEqualTo(other);
    }

    @Test
    void shouldPullAPlainArtifactWithASingleWasmFile() throws Exception {
        OciPush.to(open).plainFile("plain/hello:latest", WASM, "hello.wasm");

        assertThat(fetch("oci://" + open.hostPort() + "/plain/hello:latest").bytes())
                .isEqualTo(WASM);
    }

    @Test
    void shouldPullFromALoopbackRegistryOverPlainHttpInStandaloneMode() throws Exception {
        OciPush.to(open).cncfWasm("wasm/standalone:v1", WASM);

        FetchedModule module =
                ModuleSources.fetcher(FetchPolicy.standalone(Path.of(".")))
                        .fetch(
                                FetchRequest.of(
                                        URI.create(
                                                "oci://"
                                                        + open.hostPort()
                                                        + "/wasm/standalone:v1")));

        assertThat(module.bytes()).isEqualTo(WASM);
    }

    @Test
    void shouldSayNotFoundForAMissingTag() {
        assertThatThrownBy(() -> fetch("oci://" + open.hostPort() + "/wasm/nothing:v9"))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
                .hasMessageContaining("not found");
    }

    @Test
    void shouldRefuseAnArtifactWithoutAWasmLayer() {
        OciPush.to(open)
                .push(
                        "docs/readme:v1",
                        "application/vnd.oci.empty.v1+json",
                        List.of(
                                new LayerSpec(
                                        "# hi".getBytes(StandardCharsets.UTF_8),
                                        "text/markdown",
                                        "README.md")));

        assertThatThrownBy(() -> fetch("oci://" + open.hostPort() + "/docs/readme:v1"))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("not a wasm artifact")
                .hasMessageContaining("text/markdown README.md");
    }

    @Test
    void shouldRefuseALayerOverTheSizeCapBeforeDownloadingIt() {
        OciPush.to(open).cncfWasm("wasm/big:v1", WASM);

        assertThatThrownBy(
                        () ->
                                fetcher(AddressGuard.ALLOW_ALL, WASM.length - 1)
                                        .fetch(
                                                FetchRequest.of(
                                                        URI.create(
                                                                "oci://"
                                                                        + open.hostPort()
                                                                        + "/wasm/big:v1"))))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("more than the limit");
    }

    @Test
    void shouldEnforceTheSha256Pin() {
        OciPush.to(open).cncfWasm("wasm/pin:v1", WASM);
        String wrong = "1".repeat(64);

        assertThatThrownBy(
                        () ->
                                fetcher(AddressGuard.ALLOW_ALL, 1 << 20)
                                        .fetch(
                                                FetchRequest.of(
                                                                URI.create(
                                                                        "oci://"
                                                                                + open.hostPort()
                                                                                + "/wasm/pin:v1"))
                                                        .withExpectedSha256(wrong)))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH));
    }

    @Test
    void shouldPullWithDockerConfigCredentialsAndRefuseWrongOnes() throws Exception {
        OciPush.to(locked, "puller", "s3cret-pass").cncfWasm("private/app:v1", WASM);
        URI url = URI.create("oci://" + locked.hostPort() + "/private/app:v1");
        String good = dockerConfig(locked.hostPort(), "puller", "s3cret-pass");
        String bad = dockerConfig(locked.hostPort(), "puller", "wrong");

        FetchedModule module =
                fetcher(AddressGuard.ALLOW_ALL, 1 << 20)
                        .fetch(
                                FetchRequest.of(url)
                                        .withCredentials(Credentials.dockerConfig(good)));

        assertThat(module.bytes()).isEqualTo(WASM);
        assertThatThrownBy(
                        () ->
                                fetcher(AddressGuard.ALLOW_ALL, 1 << 20)
                                        .fetch(
                                                FetchRequest.of(url)
                                                        .withCredentials(
                                                                Credentials.dockerConfig(bad))))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED))
                .hasMessageContaining("spec.pullSecret");
        assertThatThrownBy(() -> fetch(url.toString()))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED));
    }

    @Test
    void shouldAskTheGuardAboutTheRegistryHost() {
        AddressGuard refuseAll =
                url -> {
                    throw new FetchException(Reason.BLOCKED_ADDRESS, url.getHost() + " blocked");
                };

        assertThatThrownBy(
                        () ->
                                fetcher(refuseAll, 1 << 20)
                                        .fetch(
                                                FetchRequest.of(
                                                        URI.create(
                                                                "oci://"
                                                                        + open.hostPort()
                                                                        + "/wasm/hello:v1"))))
                .isInstanceOfSatisfying(
                        FetchException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BLOCKED_ADDRESS))
                .hasMessageContaining("127.0.0.1 blocked");
    }

    @Test
    void shouldRefuseAReferenceWithoutARegistry() {
        assertThatThrownBy(() -> fetch("oci://justarepo"))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("not an OCI reference");
    }

    private static String dockerConfig(String host, String user, String password) {
        String auth =
                Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}";
    }
}
