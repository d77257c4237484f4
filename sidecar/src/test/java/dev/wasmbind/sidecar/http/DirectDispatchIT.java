package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binding calls that skip the router ({@link DaprHttpApi#directCall}) are answered byte for byte as
 * the router answers them: two servers for the same binding ({@code cat}, which echoes STDIN), one
 * with the direct dispatch and one without, get the same raw HTTP/1.1 requests over real sockets
 * and must give the same raw answers, for plain calls and for every edge of the route (404, 405,
 * 400, percent-decoding, dot segments, trailing slashes, queries, content types).
 */
class DirectDispatchIT {

    private static final Vertx vertx = Vertx.vertx();
    private static final WorkerPool pool = new WorkerPool(2, 64);
    private static int direct;
    private static int routed;

    @BeforeAll
    static void start() throws Exception {
        direct = SingleBindingApi.listen(vertx, pool, "cat", 1024, ServerLimits.defaults());
        routed =
                SingleBindingApi.listen(
                        vertx,
                        pool,
                        "cat",
                        1024,
                        ServerLimits.defaults(),
                        DaprHttpApi::withoutDirectDispatch);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool.close();
    }

    @Test
    void shouldAnswerEveryBindingRequestAsTheRouterDoes() throws Exception {
        List<String> requests = new ArrayList<>();
        String[] targets = {
            "/v1.0/bindings/cat",
            "/v1.0/bindings/cat/",
            "/v1.0/bindings/cat//",
            "/v1.0/bindings/cat?x=1&operation=create",
            "/v1.0/bindings/cat/?x=1",
            "/v1.0/bindings/",
            "/v1.0/bindings",
            "/v1.0/bindings//",
            "/v1.0/bindings/a/b",
            "/v1.0/bindings/a%2Fb",
            "/v1.0/bindings/%63at",
            "/v1.0/bindings/c%61t/",
            "/v1.0/bindings/%zz",
            "/v1.0/bindings/%",
            "/v1.0/bindings/a+b",
            "/v1.0/bindings/ghost",
            "/v1.0/bindings/my.binding",
            "/v1.0/bindings/.",
            "/v1.0/bindings/..",
            "/v1.0/bindings/./cat",
            "/v1.0/bindings/../bindings/cat",
            "/v1.0/bindings/cat/..",
            "/v1.0/bindings/...",
            "/v1.0//bindings/cat",
            "//v1.0/bindings/cat",
            "/V1.0/bindings/cat",
            "/v1.0/bindings/ca;t",
            "http://x/v1.0/bindings/cat",
            "v1.0/bindings/cat",
        };
        String envelope = "{\"operation\":\"execute\",\"data\":\"hi\"}";
        for (String target : targets) {
            for (String method : List.of("POST", "PUT", "GET", "HEAD", "DELETE", "OPTIONS")) {
                requests.add(request(method, target, "Content-Type: application/json", envelope));
            }
        }
        String[] contentTypes = {
            null,
            "application/json",
            "application/json; charset=utf-8",
            "application/jsonx",
            "text/plain",
            "",
            "application/octet-stream",
            "application/octet-stream; x=y",
            "Application/Octet-Stream",
            "application/*",
            "*/*",
            "application/octet-streamx",
        };
        for (String contentType : contentTypes) {
            for (String query : List.of("", "?operation=execute&metadata.args=a,b", "?x=%zz")) {
                requests.add(
                        request(
                                "POST",
                                "/v1.0/bindings/cat" + query,
                                contentType == null ? null : "Content-Type: " + contentType,
                                envelope));
            }
        }
        requests.add(
                "POST /v1.0/bindings/cat HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
        requests.add(
                "POST /v1.0/bindings/cat HTTP/1.0\r\nContent-Length: "
                        + envelope.length()
                        + "\r\n\r\n"
                        + envelope);
        requests.add(request("POST", "/v1.0/bindings/cat", null, "not json"));
        requests.add(request("POST", "/v1.0/bindings/cat", null, "x".repeat(1025)));
        requests.add(request("POST", "/v1.0/bindings/cat", null, ""));

        for (String request : requests) {
            String fromRouter = exchange(routed, request);
            assertThat(exchange(direct, request)).as(request).isEqualTo(fromRouter);
        }
    }

    @Test
    void shouldServeACallWithNeitherContentTypeNorTrailingSlashAsTheEnvelope() throws Exception {
        String answer =
                exchange(
                        direct,
                        request(
                                "POST",
                                "/v1.0/bindings/cat/",
                                null,
                                "{\"operation\":\"execute\",\"data\":\"hi\"}"));

        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n\"hi\"");
    }

    private static String request(String method, String target, String header, String body) {
        return method
                + " "
                + target
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + (header == null ? "" : header + "\r\n")
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body;
    }

    /** Sends {@code request} on a new connection and reads until the server closes it. */
    private static String exchange(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            var answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
