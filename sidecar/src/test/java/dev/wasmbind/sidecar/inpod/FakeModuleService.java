package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.testing.TestCa;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's module service as docs/module-service.md defines it, by hand, over HTTPS on
 * 127.0.0.1: bearer token check, the bindings view with ETag and long-poll, modules by digest.
 * Tests change its bindings; waiting long-polls are answered at once.
 */
final class FakeModuleService implements AutoCloseable {

    final String namespace;
    private final Vertx vertx;
    private final TestCa ca;
    private volatile String token;
    private final Map<String, JsonObject> bindings = new LinkedHashMap<>();
    private final Map<String, byte[]> modules = new ConcurrentHashMap<>();
    private final Map<String, byte[]> wrongBytes = new ConcurrentHashMap<>();
    private final List<Runnable> waiters = new ArrayList<>();
    final AtomicInteger moduleDownloads = new AtomicInteger();
    private HttpServer server;
    private int port;

    FakeModuleService(Vertx vertx, TestCa ca, String namespace, String token) {
        this.vertx = vertx;
        this.ca = ca;
        this.namespace = namespace;
        this.token = token;
    }

    /** Starts on a free port the first time, on the same port after {@link #close}. */
    FakeModuleService start() throws Exception {
        Router router = Router.router(vertx);
        router.get("/v1/namespaces/:ns/bindings").handler(this::handleBindings);
        router.get("/v1/namespaces/:ns/modules/sha256/:hex").handler(this::handleModule);
        server =
                vertx.createHttpServer(
                                new HttpServerOptions()
                                        .setSsl(true)
                                        .setHost("127.0.0.1")
                                        .setPort(port)
                                        .setKeyCertOptions(
                                                new PemKeyCertOptions()
                                                        .setCertValue(
                                                                Buffer.buffer(ca.serverCertPem()))
                                                        .setKeyValue(
                                                                Buffer.buffer(ca.serverKeyPem()))))
                        .requestHandler(router)
                        .listen()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
        port = server.actualPort();
        return this;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server = null;
        }
    }

    void rotateToken(String token) {
        this.token = token;
    }

    /** A ready binding serving {@code module} with the given spec fields besides the URL. */
    synchronized String putReady(String name, Path module, JsonObject specExtra) throws Exception {
        byte[] bytes = Files.readAllBytes(module);
        String hex = Digests.sha256Hex(bytes);
        modules.put(hex, bytes);
        JsonObject spec =
                new JsonObject().put("url", "oci://registry.example/wasm/" + name + ":1.0");
        spec.mergeIn(specExtra);
        change(
                name,
                new JsonObject()
                        .put("name", name)
                        .put("ready", true)
                        .put("digest", "sha256:" + hex)
                        .put("size", bytes.length)
                        .put("url", spec.getString("url"))
                        .put("spec", spec)
                        .put("message", "serving sha256:" + hex));
        return hex;
    }

    synchronized void putNotReady(String name, String phase, String message) {
        change(
                name,
                new JsonObject()
                        .put("name", name)
                        .put("ready", false)
                        .put("phase", phase)
                        .put("message", message));
    }

    /** Answers other bytes than the digest names for module {@code hex}: a tampered download. */
    void serveWrongBytes(String hex, byte[] bytes) {
        wrongBytes.put(hex, bytes);
    }

    void serveRightBytes(String hex) {
        wrongBytes.remove(hex);
    }

    private void change(String name, JsonObject entry) {
        bindings.put(name, entry);
        List<Runnable> woken;
        synchronized (waiters) {
            woken = new ArrayList<>(waiters);
            waiters.clear();
        }
        woken.forEach(Runnable::run);
    }

    private synchronized JsonObject view(String names) {
        JsonArray list = new JsonArray();
        List<String> wanted =
                names == null
                        ? new ArrayList<>(bindings.keySet())
                        : Arrays.asList(names.split(","));
        for (String name : wanted) {
            JsonObject entry = bindings.get(name);
            list.add(
                    entry != null
                            ? entry
                            : new JsonObject()
                                    .put("name", name)
                                    .put("ready", false)
                                    .put("phase", "NotFound")
                                    .put(
                                            "message",
                                            "no WasmBinding named "
                                                    + name
                                                    + " in namespace "
                                                    + namespace));
        }
        String revision =
                Digests.sha256Hex(list.encode().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new JsonObject()
                .put("namespace", namespace)
                .put("revision", revision)
                .put("bindings", list);
    }

    private boolean authorized(RoutingContext ctx) {
        if (!("Bearer " + token).equals(ctx.request().getHeader("Authorization"))) {
            error(ctx, 401, "the token is missing or not accepted");
            return false;
        }
        if (!namespace.equals(ctx.pathParam("ns"))) {
            error(
                    ctx,
                    403,
                    "the token's ServiceAccount is not of namespace " + ctx.pathParam("ns"));
            return false;
        }
        return true;
    }

    private void handleBindings(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        String names = ctx.request().getParam("names");
        String wait = ctx.request().getParam("wait");
        String ifNoneMatch = ctx.request().getHeader("If-None-Match");
        JsonObject view = view(names);
        String etag = "\"" + view.getString("revision") + "\"";
        if (!etag.equals(ifNoneMatch)) {
            answer(ctx, view);
            return;
        }
        if (wait == null) {
            ctx.response().setStatusCode(304).end();
            return;
        }
        long waitMillis = Long.parseLong(wait.replace("s", "")) * 1000;
        var context = vertx.getOrCreateContext();
        boolean[] done = {false};
        Runnable[] waiter = new Runnable[1];
        long timer =
                vertx.setTimer(
                        waitMillis,
                        t ->
                                finish(
                                        done,
                                        waiter[0],
                                        () -> ctx.response().setStatusCode(304).end()));
        waiter[0] =
                () ->
                        context.runOnContext(
                                v -> {
                                    JsonObject now = view(names);
                                    if (!etag.equals("\"" + now.getString("revision") + "\"")) {
                                        vertx.cancelTimer(timer);
                                        finish(done, null, () -> answer(ctx, now));
                                    } else {
                                        synchronized (waiters) {
                                            waiters.add(waiter[0]);
                                        }
                                    }
                                });
        synchronized (waiters) {
            waiters.add(waiter[0]);
        }
    }

    private void finish(boolean[] done, Runnable waiter, Runnable answer) {
        if (done[0]) {
            return;
        }
        done[0] = true;
        if (waiter != null) {
            synchronized (waiters) {
                waiters.remove(waiter);
            }
        }
        answer.run();
    }

    private void answer(RoutingContext ctx, JsonObject view) {
        ctx.response()
                .putHeader("ETag", "\"" + view.getString("revision") + "\"")
                .putHeader("Content-Type", "application/json")
                .end(view.encode());
    }

    private void handleModule(RoutingContext ctx) {
        if (!authorized(ctx)) {
            return;
        }
        String hex = ctx.pathParam("hex");
        byte[] bytes = wrongBytes.getOrDefault(hex, modules.get(hex));
        if (bytes == null) {
            error(ctx, 404, "no WasmBinding of namespace " + namespace + " has sha256:" + hex);
            return;
        }
        moduleDownloads.incrementAndGet();
        ctx.response().putHeader("Content-Type", "application/wasm").end(Buffer.buffer(bytes));
    }

    private static void error(RoutingContext ctx, int status, String message) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
