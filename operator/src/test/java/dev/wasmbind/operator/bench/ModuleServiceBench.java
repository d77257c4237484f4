package dev.wasmbind.operator.bench;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.api.v1alpha1.WasmBindingStatus;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.testing.TestCa;
import dev.wasmbind.operator.cache.ModuleCache;
import dev.wasmbind.operator.moduleservice.BindingViews;
import dev.wasmbind.operator.moduleservice.Jwts;
import dev.wasmbind.operator.moduleservice.ModuleService;
import dev.wasmbind.operator.moduleservice.TokenReviewer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The module service under N simulated sidecars (default 1,000) long-polling across M namespaces
 * (default 100). The service runs in its own JVM (so its CPU and RSS are its own) with the
 * WasmBindings fed in directly (no API server: this measures the service, not the informer) and a
 * TokenReviewer that counts calls as the API server would see them. The sidecars are Vert.x clients
 * in this JVM, one TLS connection each, each asking for two bindings of its namespace and
 * long-polling with {@code wait=30s}. Measures: start-up (first view for all), idle CPU and RSS
 * while all wait, TokenReviews and cache hits, and the fan-out time of a change of one binding in
 * every namespace until all N sidecars have the new view. Run by scripts/bench-module-service.sh.
 *
 * <p>Arguments: {@code [sidecars=1000] [namespaces=100] [idleSeconds=60] [rounds=5]}.
 */
public final class ModuleServiceBench {

    private static final int BINDINGS_PER_NAMESPACE = 10;
    private static final AtomicLong REVIEWS = new AtomicLong();

    private ModuleServiceBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            server(Integer.parseInt(args[1]));
            return;
        }
        int sidecars = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int namespaces = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int status = 0;
        try {
            client(sidecars, namespaces, idleSeconds, rounds);
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        // Vert.x's threads are not daemons: end the JVM (and so the run) here.
        System.exit(status);
    }

    // --- the service's JVM ---

    private static void server(int namespaces) throws Exception {
        Path dir = Files.createTempDirectory("module-service-bench");
        TestCa.forLoopback().writeServerPem(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        BindingViews views = BindingViews.detached();
        for (int n = 0; n < namespaces; n++) {
            for (int b = 0; b < BINDINGS_PER_NAMESPACE; b++) {
                views.upsert(binding("ns-" + n, "b" + b, "r0-" + b));
            }
        }
        TokenReviewer apiServer =
                token -> {
                    REVIEWS.incrementAndGet();
                    // The subject claim says who: "<namespace>/<pod>".
                    String[] who = subject(token).split("/");
                    return TokenReviewer.Review.authenticated(
                            "system:serviceaccount:" + who[0] + ":app",
                            Map.of("authentication.kubernetes.io/pod-name", List.of(who[1])));
                };
        ModuleService service =
                ModuleService.builder()
                        .withHost("127.0.0.1")
                        .withPort(0)
                        .withCertificate(dir.resolve("tls.crt"), dir.resolve("tls.key"))
                        .withCache(new ModuleCache(dir.resolve("cache"), Clock.systemUTC()))
                        .withBindings(views)
                        .withTokenReviewer(apiServer)
                        .build()
                        .start();
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("PORT " + service.port() + " PID " + ProcessHandle.current().pid());
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("change ")) {
                String round = line.substring("change ".length());
                for (int n = 0; n < namespaces; n++) {
                    views.upsert(binding("ns-" + n, "b0", round));
                }
                out.println("CHANGED");
            } else if (line.equals("stats")) {
                out.println("STATS reviews=" + REVIEWS.get());
            } else if (line.equals("quit")) {
                break;
            }
        }
        service.close();
    }

    private static WasmBinding binding(String namespace, String name, String content) {
        WasmBinding binding = new WasmBinding(name, new WasmBindingSpec("https://m.example/x"));
        binding.getMetadata().setNamespace(namespace);
        binding.getMetadata().setGeneration(1L);
        WasmBindingStatus status = new WasmBindingStatus();
        status.setPhase(Phase.Ready);
        String hex = Digests.sha256Hex(content.getBytes(StandardCharsets.UTF_8));
        status.setDigest("sha256:" + hex);
        status.setSize(15_000L);
        status.setObservedGeneration(1L);
        status.setMessage("serving sha256:" + hex);
        binding.setStatus(status);
        return binding;
    }

    private static String subject(String jwt) {
        String claims =
                new String(
                        Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        int at = claims.indexOf("\"sub\":\"") + 7;
        return claims.substring(at, claims.indexOf('"', at));
    }

    // --- the sidecars' JVM ---

    private static void client(int sidecars, int namespaces, int idleSeconds, int rounds)
            throws Exception {
        String cp = System.getProperty("java.class.path");
        Process server =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx256m",
                                "-cp",
                                cp,
                                ModuleServiceBench.class.getName(),
                                "server",
                                Integer.toString(namespaces))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
        BufferedReader fromServer =
                new BufferedReader(
                        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter toServer = new PrintWriter(server.getOutputStream(), true);
        String[] hello = awaitLine(fromServer, "PORT ").split(" ");
        int port = Integer.parseInt(hello[1]);
        long pid = Long.parseLong(hello[3]);
        System.out.printf(
                Locale.ROOT,
                "%d sidecars over %d namespaces (%d bindings each, 2 asked per sidecar)%n",
                sidecars,
                namespaces,
                BINDINGS_PER_NAMESPACE);
        System.out.printf(Locale.ROOT, "service idle at start: %s%n", usage(pid));

        Vertx vertx = Vertx.vertx();
        HttpClient http =
                vertx.createHttpClient(
                        new HttpClientOptions()
                                .setSsl(true)
                                .setTrustAll(true)
                                .setVerifyHost(false)
                                .setDefaultHost("127.0.0.1")
                                .setDefaultPort(port)
                                .setMaxPoolSize(sidecars + 10)
                                .setIdleTimeout(0));
        Instant exp = Instant.now().plus(Duration.ofHours(1));
        List<Sidecar> all = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(sidecars);
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        // Sidecars start in waves of 100, as pods do: 1,000 TLS handshakes at one instant on
        // two shared cores would measure the handshake queue, not the service.
        for (int i = 0; i < sidecars; i++) {
            String ns = "ns-" + (i % namespaces);
            Sidecar sidecar =
                    new Sidecar(vertx, http, ns, Jwts.expiringAt(exp, ns + "/pod-" + i), started);
            all.add(sidecar);
            sidecar.poll();
            if ((i + 1) % 100 == 0) {
                long target = sidecars - (i + 1);
                while (started.getCount() > target) {
                    if (!started.await(1, TimeUnit.SECONDS) && System.nanoTime() - t0 > 600e9) {
                        throw new IllegalStateException("not every sidecar got its first view");
                    }
                }
            }
        }
        if (!started.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every sidecar got its first view");
        }
        double startSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "start: all %d have their first view after %.2f s (%d errors); service CPU %.2f"
                        + " s; %s; %s%n",
                sidecars,
                startSeconds,
                Sidecar.ERRORS.get(),
                (cpuTicks(pid) - cpu0) / 100.0,
                usage(pid),
                stats(fromServer, toServer));

        // Idle: everyone waits; each re-polls every 30 s.
        Thread.sleep(2000);
        long idleCpu0 = cpuTicks(pid);
        long requests0 = Sidecar.REQUESTS.get();
        long reviews0 = reviews(fromServer, toServer);
        Thread.sleep(idleSeconds * 1000L);
        long idleCpu = cpuTicks(pid) - idleCpu0;
        long reviewsIdle = reviews(fromServer, toServer) - reviews0;
        System.out.printf(
                Locale.ROOT,
                "idle %d s: %d long-poll requests (%.1f/s); service CPU %.2f s (%.1f%% of one"
                        + " core); TokenReviews %d (%.1f/min); %s%n",
                idleSeconds,
                Sidecar.REQUESTS.get() - requests0,
                (Sidecar.REQUESTS.get() - requests0) / (double) idleSeconds,
                idleCpu / 100.0,
                idleCpu / (double) idleSeconds,
                reviewsIdle,
                reviewsIdle * 60.0 / idleSeconds,
                usage(pid));

        // Fan-out: change binding b0 in every namespace; every sidecar asked for b0.
        List<Double> fanouts = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            CountDownLatch woken = new CountDownLatch(sidecars);
            all.forEach(s -> s.expectChange(woken));
            long start = System.nanoTime();
            toServer.println("change round-" + round);
            awaitLine(fromServer, "CHANGED");
            if (!woken.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("round " + round + ": not every sidecar woke");
            }
            long lastWake = all.stream().mapToLong(s -> s.wokenAt).max().orElseThrow();
            fanouts.add((lastWake - start) / 1e6);
            Thread.sleep(1000);
        }
        Collections.sort(fanouts);
        System.out.printf(
                Locale.ROOT,
                "fan-out of a change to all %d sidecars over %d rounds: median %.0f ms, max %.0f"
                        + " ms (%s)%n",
                sidecars,
                rounds,
                fanouts.get(fanouts.size() / 2),
                fanouts.get(fanouts.size() - 1),
                fanouts);
        System.out.printf(
                Locale.ROOT,
                "end: %s; %s; errors %d%n",
                usage(pid),
                stats(fromServer, toServer),
                Sidecar.ERRORS.get());
        toServer.println("quit");
        server.waitFor(20, TimeUnit.SECONDS);
        server.destroy();
        vertx.close();
    }

    /** One simulated sidecar: first view, then long-polls forever. */
    private static final class Sidecar {
        static final AtomicLong REQUESTS = new AtomicLong();
        static final AtomicInteger ERRORS = new AtomicInteger();

        private final Vertx vertx;
        private final HttpClient http;
        private final String namespace;
        private final String token;
        private CountDownLatch started;
        private volatile CountDownLatch woken;
        private volatile long wokenAt;
        private String etag;

        Sidecar(
                Vertx vertx,
                HttpClient http,
                String namespace,
                String token,
                CountDownLatch started) {
            this.vertx = vertx;
            this.http = http;
            this.namespace = namespace;
            this.token = token;
            this.started = started;
        }

        void expectChange(CountDownLatch latch) {
            this.woken = latch;
        }

        void poll() {
            REQUESTS.incrementAndGet();
            String uri =
                    "/v1/namespaces/"
                            + namespace
                            + "/bindings?names=b0,b1"
                            + (etag == null ? "" : "&wait=30s");
            RequestOptions options =
                    new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setURI(uri)
                            .putHeader("Authorization", "Bearer " + token)
                            .setIdleTimeout(0);
            if (etag != null) {
                options.putHeader("If-None-Match", etag);
            }
            http.request(options)
                    .compose(request -> request.send())
                    .compose(response -> response.body().map(body -> response))
                    .onSuccess(this::answered)
                    .onFailure(
                            e -> {
                                ERRORS.incrementAndGet();
                                vertx.setTimer(1000, id -> poll());
                            });
        }

        private void answered(HttpClientResponse response) {
            if (response.statusCode() == 200) {
                etag = response.getHeader("ETag");
                if (started != null) {
                    started.countDown();
                    started = null;
                }
                CountDownLatch latch = woken;
                if (latch != null) {
                    woken = null;
                    wokenAt = System.nanoTime();
                    latch.countDown();
                }
            } else if (response.statusCode() != 304) {
                ERRORS.incrementAndGet();
            }
            poll();
        }
    }

    private static String awaitLine(BufferedReader in, String prefix) throws Exception {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IllegalStateException("the service process ended before saying " + prefix);
    }

    private static String stats(BufferedReader in, PrintWriter out) throws Exception {
        return "TokenReviews so far " + reviews(in, out);
    }

    private static long reviews(BufferedReader in, PrintWriter out) throws Exception {
        out.println("stats");
        String line = awaitLine(in, "STATS ");
        return Long.parseLong(line.substring(line.indexOf('=') + 1));
    }

    /** utime + stime of {@code pid} in clock ticks (1/100 s on Linux). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static String usage(long pid) throws Exception {
        String rss = "?";
        String hwm = "?";
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = line.substring(6).strip();
            } else if (line.startsWith("VmHWM:")) {
                hwm = line.substring(6).strip();
            }
        }
        return "RSS " + rss + " (peak " + hwm + ")";
    }
}
