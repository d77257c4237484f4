package dev.wasmbind.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.injector.admission.AdmissionServer;
import dev.wasmbind.injector.patch.SidecarConfig;
import dev.wasmbind.injector.patch.SidecarInjector;
import dev.wasmbind.injector.tls.CertificateAuthority;
import dev.wasmbind.injector.tls.CertificateReloader;
import dev.wasmbind.injector.tls.PemFiles;
import dev.wasmbind.injector.tls.PemPair;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.operator.ModuleServiceSettings;
import dev.wasmbind.operator.OperatorSettings;
import dev.wasmbind.operator.WasmBindOperator;
import dev.wasmbind.operator.guard.Cidr;
import dev.wasmbind.operator.guard.NetworkGuard;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A cluster in one JVM: fabric8's mock API server (CRUD, answering TokenReviews), the operator with
 * its module service over HTTPS, the injector over HTTPS, a plain HTTP server with the example
 * modules, and the sidecar container the injector's patch describes, run as a process ({@link
 * SidecarProcess}). Shared by {@link ClusterInABoxIT} and the swap benchmark.
 */
final class ClusterInABox implements AutoCloseable {

    static final String TEAM_A = "team-a";
    static final String TEAM_B = "team-b";
    static final String BINDING = "hello";
    static final String POD_NAME = "greeter-6d5f8c7b9-x2p4q";
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Instant EXP = Instant.now().plus(Duration.ofHours(2));

    /** The projected ServiceAccount tokens the API server knows (JWT-shaped, for their exp). */
    final String tokenA = jwt("team-a-default");

    final String tokenB = jwt("team-b-default");
    final String badToken = jwt("forged");

    final Path dir;
    final Path cacheDir;
    final Path modulesSource;
    private final KubernetesClient client;
    private final CertificateAuthority ca;
    private final Path moduleServiceCert;
    private final Path moduleServiceKey;
    private HttpServer moduleSource;
    private WasmBindOperator operator;
    private int moduleServicePort;
    private Vertx vertx;
    private AdmissionServer injector;

    private ClusterInABox(KubernetesClient client, Path dir) {
        this.client = client;
        this.dir = dir;
        this.cacheDir = dir.resolve("operator-cache");
        this.modulesSource = root().resolve("examples/bindings/modules");
        this.ca = CertificateAuthority.create("wasmbind-test-ca", Duration.ofDays(1));
        this.moduleServiceCert = dir.resolve("module-service.crt");
        this.moduleServiceKey = dir.resolve("module-service.key");
    }

    /** Starts everything but the sidecar; {@link #injectPod} then asks the injector for it. */
    static ClusterInABox start(KubernetesClient client, KubernetesMockServer server)
            throws Exception {
        ClusterInABox box =
                new ClusterInABox(client, Files.createTempDirectory("cluster-in-a-box"));
        server.expect()
                .post()
                .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> box.review(request.getUtf8Body()))
                .always();
        for (String ns : List.of(TEAM_A, TEAM_B)) {
            client.namespaces()
                    .resource(
                            new NamespaceBuilder()
                                    .withNewMetadata()
                                    .withName(ns)
                                    .endMetadata()
                                    .build())
                    .create();
        }
        box.startModuleSource();
        box.writePair(box.moduleServiceCert, box.moduleServiceKey);
        box.startOperator(0);
        box.startInjector();
        return box;
    }

    static Path root() {
        return Path.of(System.getProperty("wasmbind.root", "..")).toAbsolutePath().normalize();
    }

    // ---------------------------------------------------------------- the API server's side

    /** TokenReviews as the API server answers them: team-a's and team-b's default accounts. */
    private TokenReview review(String body) {
        TokenReview review = Serialization.unmarshal(body, TokenReview.class);
        String token = review.getSpec().getToken();
        String namespace = token.equals(tokenA) ? TEAM_A : token.equals(tokenB) ? TEAM_B : null;
        review.setStatus(
                namespace == null
                        ? new TokenReviewStatusBuilder()
                                .withAuthenticated(false)
                                .withError("invalid bearer token")
                                .build()
                        : new TokenReviewStatusBuilder()
                                .withAuthenticated(true)
                                .withAudiences("wasmbind")
                                .withNewUser()
                                .withUsername("system:serviceaccount:" + namespace + ":default")
                                .endUser()
                                .build());
        return review;
    }

    private static String jwt(String subject) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"none\"}".getBytes());
        String claims =
                url.encodeToString(
                        ("{\"sub\":\""
                                        + subject
                                        + "\",\"aud\":[\"wasmbind\"],\"exp\":"
                                        + EXP.getEpochSecond()
                                        + "}")
                                .getBytes());
        return header + "." + claims + ".c2ln";
    }

    // ---------------------------------------------------------------- module source

    private void startModuleSource() throws IOException {
        moduleSource = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        moduleSource.createContext(
                "/",
                exchange -> {
                    String name = exchange.getRequestURI().getPath().substring(1);
                    Path file = modulesSource.resolve(name);
                    byte[] body =
                            !name.contains("/") && Files.isRegularFile(file)
                                    ? Files.readAllBytes(file)
                                    : null;
                    exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : 0);
                    if (body != null) {
                        exchange.getResponseBody().write(body);
                    }
                    exchange.close();
                });
        moduleSource.start();
    }

    String moduleUrl(String file) {
        return "http://127.0.0.1:" + moduleSource.getAddress().getPort() + "/" + file;
    }

    byte[] module(String file) {
        try {
            return Files.readAllBytes(modulesSource.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String sha256(String file) {
        return Digests.sha256Hex(module(file));
    }

    // ---------------------------------------------------------------- operator

    /** Starts the operator; {@code port} 0 picks one, a restart passes the first one again. */
    void startOperator(int port) throws IOException {
        operator =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withSettings(
                                OperatorSettings.defaults()
                                        .withCacheDir(cacheDir)
                                        // the module source is on loopback: allowed by address
                                        .withGuard(
                                                NetworkGuard.builder()
                                                        .allowCidrs(
                                                                List.of(Cidr.parse("127.0.0.1/32")))
                                                        .build())
                                        .withServerSideApply(false)
                                        .withLeaderElection(false)
                                        .withPort(0)
                                        .withBindAddress("127.0.0.1")
                                        .withRetryInitial(Duration.ofMillis(200))
                                        .withRetryMax(Duration.ofSeconds(2))
                                        .withModuleService(
                                                ModuleServiceSettings.of(
                                                                moduleServiceCert, moduleServiceKey)
                                                        .withHost("127.0.0.1")
                                                        .withPort(port)))
                        .build()
                        .start();
        moduleServicePort = operator.moduleServicePort().orElseThrow();
    }

    void stopOperator() {
        if (operator != null) {
            operator.close();
            operator = null;
        }
    }

    void restartOperator() throws IOException {
        stopOperator();
        startOperator(moduleServicePort);
    }

    boolean operatorRunning() {
        return operator != null;
    }

    String moduleServiceUrl() {
        return "https://127.0.0.1:" + moduleServicePort;
    }

    // ---------------------------------------------------------------- bindings

    void createBinding(String namespace, String file) {
        WasmBinding binding = new WasmBinding();
        binding.getMetadata().setName(BINDING);
        binding.getMetadata().setNamespace(namespace);
        WasmBindingSpec spec = new WasmBindingSpec();
        spec.setUrl(moduleUrl(file));
        spec.setSha256(sha256(file));
        binding.setSpec(spec);
        client.resources(WasmBinding.class).inNamespace(namespace).resource(binding).create();
    }

    /** Points team-a's binding at another module (pinned), as {@code kubectl patch} would. */
    void pointBindingAt(String file) {
        client.resources(WasmBinding.class)
                .inNamespace(TEAM_A)
                .withName(BINDING)
                .edit(
                        b -> {
                            b.getSpec().setUrl(moduleUrl(file));
                            b.getSpec().setSha256(sha256(file));
                            return b;
                        });
    }

    // ---------------------------------------------------------------- injector

    private void startInjector() throws Exception {
        Path cert = dir.resolve("injector.crt");
        Path key = dir.resolve("injector.key");
        writePair(cert, key);
        vertx = Vertx.vertx();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        injector =
                AdmissionServer.builder()
                        .vertx(vertx)
                        .host("127.0.0.1")
                        .port(0)
                        .injector(
                                new SidecarInjector(
                                        SidecarConfig.builder()
                                                .image("wasmbind-sidecar:test")
                                                .injectorVersion("test")
                                                .moduleServiceUrl(moduleServiceUrl())
                                                .moduleServiceCa(ca.certificatePem())
                                                .build()))
                        .certificates(
                                new CertificateReloader(
                                        vertx,
                                        new PemFiles(cert, key),
                                        Duration.ofSeconds(10),
                                        registry))
                        .registry(registry)
                        .build()
                        .start()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get();
    }

    /**
     * Sends the AdmissionReview the API server sends for a Deployment's pod in team-a (the
     * annotations a user writes, free ports for the sidecar) and returns the patched pod.
     */
    JsonNode injectPod(int httpPort, int healthPort) throws Exception {
        ObjectNode review;
        try (InputStream in = getClass().getResourceAsStream("/pod-create-review.json")) {
            review = (ObjectNode) JSON.readTree(in);
        }
        ((ObjectNode) review.path("request")).put("uid", UUID.randomUUID().toString());
        ObjectNode pod = (ObjectNode) review.path("request").path("object");
        ObjectNode annotations = (ObjectNode) pod.path("metadata").path("annotations");
        annotations.put("wasmbind.dev/inject", "true");
        annotations.put("wasmbind.dev/bindings", BINDING);
        annotations.put("wasmbind.dev/port", String.valueOf(httpPort));
        annotations.put("wasmbind.dev/health-port", String.valueOf(healthPort));

        HttpResponse<byte[]> answer =
                https().send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "https://127.0.0.1:"
                                                                + injector.port()
                                                                + "/mutate"))
                                        .header("Content-Type", "application/json")
                                        .POST(
                                                HttpRequest.BodyPublishers.ofByteArray(
                                                        JSON.writeValueAsBytes(review)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("the injector answered " + answer.statusCode());
        }
        JsonNode response = JSON.readTree(answer.body()).path("response");
        if (!response.path("allowed").asBoolean() || !response.hasNonNull("patch")) {
            throw new IllegalStateException("the injector did not patch the pod: " + response);
        }
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
        return JsonPatch.apply(patch, pod);
    }

    /**
     * team-a's binding on hello.wasm, the pod injected, and its sidecar container started with
     * team-a's token and {@code modulesDir} as the emptyDir; returns once it is ready.
     */
    SidecarProcess startInjectedSidecar(Path modulesDir) throws Exception {
        createBinding(TEAM_A, "hello.wasm");
        JsonNode pod = injectPod(freePort(), freePort());
        Path token = Files.writeString(dir.resolve("token"), tokenA);
        Files.createDirectories(modulesDir);
        return SidecarProcess.of(
                        pod,
                        POD_NAME,
                        token,
                        modulesDir,
                        Path.of(System.getProperty("wasmbind.logDir", "target/cluster-logs")))
                .start(Duration.ofSeconds(90));
    }

    // ---------------------------------------------------------------- TLS

    private void writePair(Path cert, Path key) throws IOException {
        PemPair pair = ca.issue(List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        Files.writeString(cert, pair.certificateChain());
        Files.writeString(key, pair.privateKey());
    }

    /** A client that trusts exactly the test CA, as the sidecar and the API server do. */
    HttpClient https() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder()
                    .sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        stopOperator();
        if (injector != null) {
            injector.stop().toCompletionStage().toCompletableFuture().get();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (moduleSource != null) {
            moduleSource.stop(0);
        }
    }
}
