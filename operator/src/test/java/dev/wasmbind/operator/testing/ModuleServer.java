package dev.wasmbind.operator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving modules by path; a path can be switched to answer a
 * status instead (404, 500...), so tests can break and repair a source.
 */
public final class ModuleServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> modules = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();

    private ModuleServer(HttpServer server) {
        this.server = server;
    }

    public static ModuleServer start() throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ModuleServer modules = new ModuleServer(server);
        server.createContext("/", modules::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return modules;
    }

    public ModuleServer serve(String path, byte[] bytes) {
        modules.put(path, bytes);
        statuses.remove(path);
        return this;
    }

    /** Makes {@code path} answer {@code status} with no module until served again. */
    public ModuleServer fail(String path, int status) {
        statuses.put(path, status);
        return this;
    }

    /** Makes {@code path} answer 302 with {@code location}, taken as given (even malformed). */
    public ModuleServer redirect(String path, String location) {
        redirects.put(path, location);
        return this;
    }

    /** Makes {@code path} wait {@code millis} before answering (timeouts). */
    public ModuleServer delay(String path, long millis) {
        delays.put(path, millis);
        return this;
    }

    /** Makes {@code path} want basic auth {@code user}/{@code password}, else 401. */
    public ModuleServer requireBasicAuth(String path, String user, String password) {
        passwords.put(
                path,
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password)
                                                .getBytes(
                                                        java.nio.charset.StandardCharsets.UTF_8)));
        return this;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Long delay = delays.get(path);
        if (delay != null) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String expected = passwords.get(path);
        if (expected != null
                && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        String location = redirects.get(path);
        if (location != null) {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
            return;
        }
        Integer status = statuses.get(path);
        byte[] body = modules.get(path);
        if (status != null || body == null) {
            exchange.sendResponseHeaders(status != null ? status : 404, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/wasm");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
