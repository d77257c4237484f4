package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleSources;
import dev.wasmbind.module.testing.TestCa;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.testing.ModuleServer;
import dev.wasmbind.operator.testing.TestModules;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module service end to end: a real HTTPS server on 127.0.0.1 with PEM files, WasmBindings in
 * fabric8's mock API server (CRUD mode) seen through the informer, TokenReviews answered by the
 * mock for two namespaces' ServiceAccounts, a real HTTP client.
 */
@EnableKubernetesMockClient(crud = true)
class ModuleServiceIT {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final Instant EXP = Instant.now().plus(Duration.ofHours(1));
    private static final String SHOP = Jwts.expiringAt(EXP, "shop");
    private static final String BILLING = Jwts.expiringAt(EXP, "billing");
    private static final String ALICE = Jwts.expiringAt(EXP, "alice");
    private static final AtomicInteger REVIEWS = new AtomicInteger();
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static Path dir;
    private static TestCa certificate;
    private static ModuleCache cache;
    private static BindingViews views;
    private static ModuleService service;
    private static HttpClient http;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server.expect()
                .post()
                .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> review(request.getUtf8Body()))
                .always();
        dir = Files.createTempDirectory("module-service-it");
        certificate =
                TestCa.forLoopback().writeServerPem(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        cache = new ModuleCache(dir.resolve("cache"), Clock.systemUTC());
        views = BindingViews.inform(client, Set.of());
        service =
                builder(dir.resolve("tls.crt"), dir.resolve("tls.key"), cache, views)
                        .withRateLimit(1000, 1000)
                        .build()
                        .start();
        http = client(certificate.trustingClientContext());
        await().atMost(Duration.ofSeconds(20)).until(views::isSynced);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @AfterEach
    void closeExtras() throws Exception {
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
    }

    /** The API server's side: tokens of shop/app (bound to pod web-1), billing/app and alice. */
    private static TokenReview review(String body) {
        REVIEWS.incrementAndGet();
        TokenReview review = Serialization.unmarshal(body, TokenReview.class);
        String token = review.getSpec().getToken();
        TokenReviewStatus status;
        if (token.equals(SHOP) || token.startsWith(SHOP + "-")) {
            status = serviceAccount("shop", Map.of(Caller.POD_NAME_EXTRA, List.of("web-1")));
        } else if (token.equals(BILLING)) {
            status = serviceAccount("billing", Map.of());
        } else if (token.equals(ALICE)) {
            status =
                    new TokenReviewStatusBuilder()
                            .withAuthenticated(true)
                            .withAudiences("wasmbind")
                            .withNewUser()
                            .withUsername("alice")
                            .endUser()
                            .build();
        } else {
            status =
                    new TokenReviewStatusBuilder()
                            .withAuthenticated(false)
                            .withError("invalid bearer token")
                            .build();
        }
        review.setStatus(status);
        return review;
    }

    private static TokenReviewStatus serviceAccount(
            String namespace, Map<String, List<String>> extra) {
        return new TokenReviewStatusBuilder()
                .withAuthenticated(true)
                .withAudiences("wasmbind")
                .withNewUser()
                .withUsername("system:serviceaccount:" + namespace + ":app")
                .withExtra(extra)
                .endUser()
                .build();
    }

    @Test
    void shouldServeTheViewWithAnEtagAndAnswer304WhenUnchanged() throws Exception {
        byte[] module = TestModules.command("view");
        WasmBinding binding = ready("shop", module, spec -> spec.getArgs().add("-v"));
        String name = binding.getMetadata().getName();
        String path = "/v1/namespaces/shop/bindings?names=" + name + ",missing";

        HttpResponse<String> first = awaitView(path, SHOP, "sha256:" + sha(module));
        JsonNode answer = Serialization.jsonMapper().readTree(first.body());
        String etag = first.headers().firstValue("ETag").orElseThrow();

        assertThat(etag).isEqualTo("\"" + answer.get("revision").asText() + "\"");
        assertThat(answer.get("bindings").get(0).get("size").asLong()).isEqualTo(module.length);
        assertThat(answer.get("bindings").get(0).get("spec").get("args").get(0).asText())
                .isEqualTo("-v");
        assertThat(answer.get("bindings").get(1).get("phase").asText()).isEqualTo("NotFound");
        HttpResponse<String> again = get(path, SHOP, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void shouldWakeALongPollWhenAStatusChanges() throws Exception {
        byte[] first = TestModules.command("poll-1");
        byte[] second = TestModules.command("poll-2");
        WasmBinding binding = ready("shop", first, spec -> {});
        String name = binding.getMetadata().getName();
        String path = "/v1/namespaces/shop/bindings?names=" + name;
        String etag =
                awaitView(path, SHOP, "sha256:" + sha(first))
                        .headers()
                        .firstValue("ETag")
                        .orElseThrow();
        int waiting = views.subscribers();

        CompletableFuture<HttpResponse<String>> poll =
                http.sendAsync(
                        request(path + "&wait=30s", SHOP).header("If-None-Match", etag).build(),
                        HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> views.subscribers() > waiting);
        assertThat(poll).isNotDone();
        setStatus("shop", name, second);

        HttpResponse<String> changed = poll.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
        assertThat(changed.body()).contains("sha256:" + sha(second));
    }

    @Test
    void shouldAnswer304WhenTheWaitEndsWithoutAChange() throws Exception {
        WasmBinding binding = ready("shop", TestModules.command("quiet"), spec -> {});
        String path = "/v1/namespaces/shop/bindings?names=" + binding.getMetadata().getName();
        String etag =
                awaitView(path, SHOP, "sha256:" + sha(TestModules.command("quiet")))
                        .headers()
                        .firstValue("ETag")
                        .orElseThrow();

        HttpResponse<String> unchanged = get(path + "&wait=1s", SHOP, "If-None-Match", etag);

        assertThat(unchanged.statusCode()).isEqualTo(304);
    }

    @Test
    void shouldServeModuleBytesByDigest() throws Exception {
        byte[] module = TestModules.command("bytes");
        ready("shop", module, spec -> {});
        cache.store(sha(module), module);
        String path = "/v1/namespaces/shop/modules/sha256/" + sha(module);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> getBytes(path, SHOP).statusCode() == 200);
        HttpResponse<byte[]> answer = getBytes(path, SHOP);

        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/wasm");
        assertThat(Digests.sha256Hex(answer.body())).isEqualTo(sha(module));
    }

    @Test
    void shouldAnswer404ForADigestOfAnotherNamespaceAsForOneThatDoesNotExist() throws Exception {
        byte[] module = TestModules.command("billing-only");
        ready("billing", module, spec -> {});
        cache.store(sha(module), module);
        String billingPath = "/v1/namespaces/billing/modules/sha256/" + sha(module);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> getBytes(billingPath, BILLING).statusCode() == 200);

        HttpResponse<String> elsewhere =
                get("/v1/namespaces/shop/modules/sha256/" + sha(module), SHOP);
        HttpResponse<String> nowhere =
                get("/v1/namespaces/shop/modules/sha256/" + "0".repeat(64), SHOP);

        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(elsewhere.body().replace(sha(module), "X"))
                .isEqualTo(nowhere.body().replace("0".repeat(64), "X"));
    }

    @Test
    void shouldAnswer401WithoutATokenOrWithABadOne() throws Exception {
        HttpResponse<String> none =
                http.send(
                        HttpRequest.newBuilder(uri(service, "/v1/namespaces/shop/bindings"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> bad = get("/v1/namespaces/shop/bindings", "not-a-valid-token");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("Authorization: Bearer");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("invalid bearer token");
    }

    @Test
    void shouldAnswer403ForAnotherNamespacesTokenAndForUsers() throws Exception {
        ready("shop", TestModules.command("secret-shop"), spec -> {});

        HttpResponse<String> billing = get("/v1/namespaces/shop/bindings", BILLING);
        HttpResponse<String> alice = get("/v1/namespaces/shop/bindings", ALICE);

        assertThat(billing.statusCode()).isEqualTo(403);
        assertThat(billing.body()).contains("namespace billing").doesNotContain("sha256");
        assertThat(alice.statusCode()).isEqualTo(403);
        assertThat(alice.body()).contains("only ServiceAccount tokens");
    }

    @Test
    void shouldReviewEachTokenOnceWhileItIsCached() throws Exception {
        String token = SHOP + "-cached";
        int before = REVIEWS.get();

        for (int i = 0; i < 5; i++) {
            assertThat(get("/v1/namespaces/shop/bindings", token).statusCode()).isEqualTo(200);
        }

        assertThat(REVIEWS.get() - before).isEqualTo(1);
    }

    @Test
    void shouldAnswer429PastTheRateLimit() throws Exception {
        ModuleService limited =
                extra(
                        builder(dir.resolve("tls.crt"), dir.resolve("tls.key"), cache, views())
                                .withRateLimit(0.01, 2));

        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> last = null;
        for (int i = 0; i < 3; i++) {
            last = send(limited, "/v1/namespaces/shop/bindings", SHOP);
            statuses.add(last.statusCode());
        }

        assertThat(statuses.get(2)).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(last.body()).contains("too many requests from shop/app/web-1");
    }

    @Test
    void shouldFetchAModuleThisReplicaLacksFromTheSourceAndCheckItsDigest() throws Exception {
        byte[] module = TestModules.command("follower");
        byte[] tampered = TestModules.command("tampered");
        try (ModuleServer source = ModuleServer.start()) {
            source.serve("/follower.wasm", module).serve("/tampered.wasm", tampered);
            ready("shop", module, spec -> spec.setUrl(source.url("/follower.wasm")));
            // The status names one digest, the source now serves other bytes.
            ready("shop", module, spec -> spec.setUrl(source.url("/tampered.wasm")));
            ModuleCache empty = new ModuleCache(dir.resolve("follower-cache"), Clock.systemUTC());
            ModuleService follower =
                    extra(
                            builder(dir.resolve("tls.crt"), dir.resolve("tls.key"), empty, views())
                                    .withSourceFetcher(
                                            ModuleSources.fetcher(FetchPolicy.builder().build()),
                                            CredentialsLookup.NONE));
            String path = "/v1/namespaces/shop/modules/sha256/" + sha(module);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sendBytes(follower, path, SHOP).statusCode() == 200);
            HttpResponse<byte[]> answer = sendBytes(follower, path, SHOP);

            assertThat(Digests.sha256Hex(answer.body())).isEqualTo(sha(module));
            assertThat(empty.contains(sha(module))).isTrue();
            assertThat(source.hits("/follower.wasm")).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseSourceContentWhoseDigestIsNotTheStatusOne() throws Exception {
        byte[] module = TestModules.command("pinned");
        try (ModuleServer source = ModuleServer.start()) {
            source.serve("/moved.wasm", TestModules.command("moved"));
            ready("shop", module, spec -> spec.setUrl(source.url("/moved.wasm")));
            ModuleCache empty = new ModuleCache(dir.resolve("tamper-cache"), Clock.systemUTC());
            ModuleService follower =
                    extra(
                            builder(dir.resolve("tls.crt"), dir.resolve("tls.key"), empty, views())
                                    .withSourceFetcher(
                                            ModuleSources.fetcher(FetchPolicy.builder().build()),
                                            CredentialsLookup.NONE));
            String path = "/v1/namespaces/shop/modules/sha256/" + sha(module);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> send(follower, path, SHOP).statusCode() == 502);

            assertThat(send(follower, path, SHOP).body()).contains("has sha256");
            assertThat(empty.contains(sha(module))).isFalse();
        }
    }

    @Test
    void shouldServeTheNewCertificateAfterItsFilesChange() throws Exception {
        Path cert = dir.resolve("reload.crt");
        Path key = dir.resolve("reload.key");
        TestCa first = TestCa.forLoopback().writeServerPem(cert, key);
        ModuleService reloading =
                extra(
                        builder(cert, key, cache, views())
                                .withCertificateReloadInterval(Duration.ofMillis(200)));
        assertThat(
                        send(
                                        client(first.trustingClientContext()),
                                        reloading,
                                        "/v1/namespaces/shop/bindings")
                                .statusCode())
                .isEqualTo(200);

        TestCa second = TestCa.forLoopback().writeServerPem(cert, key);

        // A new client each time: a new connection, so a new handshake.
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(
                        () ->
                                send(
                                                        client(second.trustingClientContext()),
                                                        reloading,
                                                        "/v1/namespaces/shop/bindings")
                                                .statusCode()
                                        == 200);
    }

    // --- helpers ---

    private static ModuleService.Builder builder(
            Path cert, Path key, ModuleCache cache, BindingViews views) {
        return ModuleService.builder()
                .withHost("127.0.0.1")
                .withPort(0)
                .withCertificate(cert, key)
                .withCache(cache)
                .withBindings(views)
                .withTokenReviewer(new KubernetesTokenReviewer(client));
    }

    private static BindingViews views() {
        BindingViews views = BindingViews.inform(client, Set.of());
        await().atMost(Duration.ofSeconds(20)).until(views::isSynced);
        return views;
    }

    private ModuleService extra(ModuleService.Builder builder) throws IOException {
        ModuleService started = builder.build().start();
        closeAfter.add(started);
        return started;
    }

    /** A WasmBinding in {@code namespace} whose status is Ready with {@code module}'s digest. */
    private static WasmBinding ready(
            String namespace, byte[] module, Consumer<WasmBindingSpec> customize) {
        WasmBindingSpec spec = new WasmBindingSpec("https://modules.example/m.wasm");
        customize.accept(spec);
        WasmBinding binding = new WasmBinding("b" + NAMES.incrementAndGet(), spec);
        binding.getMetadata().setNamespace(namespace);
        WasmBinding created =
                client.resources(WasmBinding.class)
                        .inNamespace(namespace)
                        .resource(binding)
                        .create();
        setStatus(namespace, created.getMetadata().getName(), module);
        return created;
    }

    private static void setStatus(String namespace, String name, byte[] module) {
        client.resources(WasmBinding.class)
                .inNamespace(namespace)
                .withName(name)
                .editStatus(
                        b -> {
                            WasmBindingStatus status = new WasmBindingStatus();
                            status.setPhase(Phase.Ready);
                            status.setDigest("sha256:" + sha(module));
                            status.setSize((long) module.length);
                            status.setObservedGeneration(
                                    b.getMetadata().getGeneration() == null
                                            ? 0L
                                            : b.getMetadata().getGeneration());
                            status.setMessage("serving sha256:" + sha(module));
                            b.setStatus(status);
                            return b;
                        });
    }

    private static HttpResponse<String> awaitView(String path, String token, String digest) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get(path, token).body().contains(digest));
        try {
            return get(path, token);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha(byte[] module) {
        return Digests.sha256Hex(module);
    }

    private static HttpClient client(SSLContext ssl) {
        return HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static URI uri(ModuleService target, String path) {
        return URI.create("https://127.0.0.1:" + target.port() + path);
    }

    private static HttpRequest.Builder request(String path, String token) {
        return request(service, path, token);
    }

    private static HttpRequest.Builder request(ModuleService target, String path, String token) {
        return HttpRequest.newBuilder(uri(target, path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(40));
    }

    private static HttpResponse<String> get(String path, String token, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path, token);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> getBytes(String path, String token)
            throws IOException, InterruptedException {
        return sendBytes(service, path, token);
    }

    private static HttpResponse<String> send(ModuleService target, String path, String token)
            throws IOException, InterruptedException {
        return http.send(
                request(target, path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpClient with, ModuleService target, String path)
            throws IOException, InterruptedException {
        return with.send(request(target, path, SHOP).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> sendBytes(ModuleService target, String path, String token)
            throws IOException, InterruptedException {
        return http.send(
                request(target, path, token).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
