package dev.wasmbind.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.PemPair;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three image tarballs the image-tarballs profile builds, each run from its own root filesystem
 * with its own entrypoint, user and environment (see {@link RootfsProcess}): the sidecar answers
 * the examples, the injector an AdmissionReview over HTTPS, the operator reports a WasmBinding
 * Ready to a mock API server. Skipped, with the reason, where the machine cannot run a root
 * filesystem (not root) or has no Debian base image to build on; fails where it has the base but
 * the tarballs are missing (the build did not make them).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ImageTarballsIT {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "0.1.0-SNAPSHOT";

    @TempDir Path work;
    private RootfsProcess running;

    static Path imageTarball(String name) {
        return Path.of(System.getProperty("images.directory", "target/images"), name + ".tar");
    }

    /** Why the images cannot be run here, or null; every test is skipped with it. */
    private static String skipReason;

    @BeforeAll
    static void requireTarballs() {
        skipReason = Commands.whyRootfsCannotRun();
        if (skipReason != null) {
            return;
        }
        Path base = Path.of(System.getProperty("images.debianBase", ""));
        List<String> names = List.of("wasmbind-operator", "wasmbind-injector", "wasmbind-sidecar");
        boolean built = names.stream().allMatch(name -> Files.isRegularFile(imageTarball(name)));
        if (!built && !Files.isRegularFile(base)) {
            skipReason =
                    "no image tarballs and no Debian base image ("
                            + base
                            + "): run scripts/setup.sh as root (it makes the base), then mvn"
                            + " verify builds the tarballs and runs this test";
        } else if (!built) {
            fail(
                    "the Debian base "
                            + base
                            + " exists but the image tarballs are missing from "
                            + imageTarball("x").getParent()
                            + ": the image-tarballs profile did not run");
        }
    }

    @BeforeEach
    void skipWhereImagesCannotRun() {
        if (skipReason != null) {
            // Surefire's summary shows only a count: the reason goes to the build log too.
            System.out.println("[ImageTarballsIT] skipped: " + skipReason);
        }
        assumeTrue(skipReason == null, skipReason);
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
            System.out.println("--- image log\n" + running.log());
        }
        // The mounts lived in the process's namespace; nothing is mounted under work any more.
        Commands.deleteTree(work.resolve("rootfs"));
    }

    private ImageArchive unpack(String name) throws IOException {
        ImageArchive image = ImageArchive.open(imageTarball(name), work);
        image.unpackInto(work.resolve("rootfs"));
        return image;
    }

    @Test
    void everyImageRunsAsTheNonRootUserWithItsLabelsAndAJavaEntrypoint() throws Exception {
        for (String name : List.of("wasmbind-operator", "wasmbind-injector", "wasmbind-sidecar")) {
            ImageArchive image = ImageArchive.open(imageTarball(name), work.resolve(name));
            assertThat(image.user()).as(name).isEqualTo("65532:65532");
            assertThat(image.entrypoint())
                    .as(name)
                    .startsWith("java")
                    .endsWith("/app/" + jar(name));
            assertThat(image.environment()).as(name).containsKey("JAVA_TOOL_OPTIONS");
            assertThat(image.labels())
                    .as(name)
                    .containsEntry("org.opencontainers.image.version", VERSION)
                    .containsKeys(
                            "org.opencontainers.image.source", "org.opencontainers.image.revision");
            System.out.printf(
                    "[image size] %s: %.1f MiB compressed layers (%d layers)%n",
                    name, image.storedLayerBytes() / 1048576.0, image.layers().size());
        }
    }

    private static String jar(String image) {
        return image + ".jar";
    }

    @Test
    void sidecarImageServesTheExamplesFromItsAotCache() throws Exception {
        ImageArchive image = unpack("wasmbind-sidecar");
        Path rootfs = work.resolve("rootfs");
        assertThat(rootfs.resolve("app/wasmbind-sidecar.aot")).isRegularFile();
        // A static archive (HotSpot's magic 0xf00baba2: an AOT cache is one) that replaces the
        // JDK's own, not a dynamic one (0xf00baba8) on top of it.
        try (InputStream in = Files.newInputStream(rootfs.resolve("app/wasmbind-sidecar.aot"))) {
            byte[] magic = in.readNBytes(4);
            assertThat(ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt())
                    .as("the archive's magic number")
                    .isEqualTo(0xf00baba2);
        }
        SidecarArchiveTraining.copyExamples(
                Path.of(System.getProperty("wasmbind.root", "..")).resolve("examples"), rootfs);
        int port = Http.freePort();
        String base = "http://127.0.0.1:" + port;
        // -XX:AOTMode=on turns a cache the JVM cannot use into a start-up failure, not a silent
        // slow start: this proves the cache fits the image's JVM.
        String javaOptions = image.environment().get("JAVA_TOOL_OPTIONS") + " -XX:AOTMode=on";
        running =
                RootfsProcess.start(
                        image,
                        rootfs,
                        SidecarArchiveTraining.sidecarArgs(port),
                        Map.of("JAVA_TOOL_OPTIONS", javaOptions),
                        work.resolve("sidecar.log"));
        Duration ready =
                SidecarArchiveTraining.awaitReady(
                        running, base + "/v1.0/healthz", Duration.ofMinutes(2));
        System.out.println("[sidecar image] start to ready: " + ready.toMillis() + " ms");

        HttpResponse<String> hello =
                Http.post(
                        base + "/v1.0/bindings/hello",
                        "{\"operation\":\"execute\",\"data\":\"salaboy\"}");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body().strip()).isEqualTo("Hello, \"salaboy\"");
        HttpResponse<String> greet =
                Http.post(
                        base + "/v1.0/bindings/json-greet",
                        "{\"operation\":\"execute\",\"data\":{\"name\":\"Ada\"}}");
        assertThat(greet.body()).contains("\"greeting\":\"Hello, Ada!\"");
        assertThat(running.log()).contains("Picked up JAVA_TOOL_OPTIONS: " + javaOptions);
        assertNoJvmWarnings(running.log());
    }

    /**
     * JDK 24+ warns when a library (Netty) uses sun.misc.Unsafe's memory access unless the image's
     * JAVA_TOOL_OPTIONS allow it; nor may the AOT cache complain.
     */
    private static void assertNoJvmWarnings(String log) {
        assertThat(log).doesNotContain("WARNING:").doesNotContain("[warning]");
    }

    @Test
    void injectorImageAnswersAnAdmissionReviewOverHttps() throws Exception {
        ImageArchive image = unpack("wasmbind-injector");
        Path rootfs = work.resolve("rootfs");
        CertificateAuthority ca = CertificateAuthority.create("images-test-ca", Duration.ofDays(1));
        PemPair pair = ca.issue(List.of("127.0.0.1"), Duration.ofDays(1));
        Path tls = Files.createDirectories(rootfs.resolve("etc/wasmbind-tls"));
        Files.writeString(tls.resolve("tls.crt"), pair.certificateChain());
        Files.writeString(tls.resolve("tls.key"), pair.privateKey());
        // Readable by the image's user only, as a mounted Secret with defaultMode 0400 would be.
        for (Path file : List.of(tls.resolve("tls.crt"), tls.resolve("tls.key"))) {
            Files.setAttribute(file, "unix:uid", 65532);
            Commands.run(List.of("chmod", "0400", file.toString()));
        }
        int port = Http.freePort();
        String sidecarImage = "wasmbind/wasmbind-sidecar:" + VERSION;
        running =
                RootfsProcess.start(
                        image,
                        rootfs,
                        List.of(
                                "--host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(port),
                                "--tls-cert",
                                "/etc/wasmbind-tls/tls.crt",
                                "--tls-key",
                                "/etc/wasmbind-tls/tls.key",
                                "--sidecar-image",
                                sidecarImage),
                        Map.of(),
                        work.resolve("injector.log"));
        HttpClient https = trusting(ca);
        String url = "https://127.0.0.1:" + port;
        awaitHttps(https, url + "/readyz");

        byte[] review;
        try (InputStream in = getClass().getResourceAsStream("/pod-create-review.json")) {
            review = in.readAllBytes();
        }
        HttpResponse<String> answer =
                https.send(
                        HttpRequest.newBuilder(URI.create(url + "/mutate"))
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(review))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode response = JSON.readTree(answer.body()).path("response");
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        String patch =
                new String(
                        Base64.getDecoder().decode(response.path("patch").asText()),
                        StandardCharsets.UTF_8);
        assertThat(patch).contains("\"name\":\"wasmbind-sidecar\"").contains(sidecarImage);
        assertNoJvmWarnings(running.log());
    }

    private void awaitHttps(HttpClient https, String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int status =
                        https.send(
                                        HttpRequest.newBuilder(URI.create(url)).build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(running.isAlive()).as("the injector exited:\n%s", running.log()).isTrue();
            Thread.sleep(50);
        }
        fail(url + " did not answer 200; log:\n" + running.log());
    }

    private static HttpClient trusting(CertificateAuthority ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Test
    void operatorImageReportsABindingReadyToTheApiServer() throws Exception {
        ImageArchive image = unpack("wasmbind-operator");
        Path rootfs = work.resolve("rootfs");
        SidecarArchiveTraining.copyExamples(
                Path.of(System.getProperty("wasmbind.root", "..")).resolve("examples"), rootfs);
        WasmBinding binding = new WasmBinding();
        binding.setMetadata(
                new ObjectMetaBuilder().withName("hello").withNamespace("team-a").build());
        WasmBindingSpec spec = new WasmBindingSpec();
        spec.setUrl("file:///srv/examples/bindings/modules/hello.wasm");
        binding.setSpec(spec);
        client.resource(binding).create();

        // The mock listens on loopback; the chroot shares the host's network.
        URI master = URI.create(client.getMasterUrl().toString());
        String apiServer = "http://127.0.0.1:" + master.getPort();
        int port = Http.freePort();
        running =
                RootfsProcess.start(
                        image,
                        rootfs,
                        List.of(
                                "--port",
                                String.valueOf(port),
                                "--bind-address",
                                "127.0.0.1",
                                "--cache-dir",
                                "/tmp/wasmbind-cache",
                                "--allow-file-urls",
                                // The mock API server answers 415 to server-side apply.
                                "--no-server-side-apply"),
                        Map.of(
                                "KUBERNETES_MASTER", apiServer,
                                "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                                "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
                                "KUBERNETES_NAMESPACE", "team-a"),
                        work.resolve("operator.log"));

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        WasmBinding seen = null;
        while (System.nanoTime() < deadline) {
            seen =
                    client.resources(WasmBinding.class)
                            .inNamespace("team-a")
                            .withName("hello")
                            .get();
            if (seen.getStatus() != null && seen.getStatus().getPhase() == Phase.Ready) {
                break;
            }
            assertThat(running.isAlive()).as("the operator exited:\n%s", running.log()).isTrue();
            Thread.sleep(100);
        }
        assertThat(seen.getStatus()).as("no status; log:\n%s", running.log()).isNotNull();
        assertThat(seen.getStatus().getPhase()).as(running.log()).isEqualTo(Phase.Ready);
        assertThat(seen.getStatus().getDigest())
                .isEqualTo(
                        "sha256:ef2a37a379a2cf98a8bc196e83948cf53d25a74870e496e457ad26409afaa006");
        assertThat(Http.status("http://127.0.0.1:" + port + "/healthz")).isEqualTo(200);
        assertNoJvmWarnings(running.log());
    }
}
