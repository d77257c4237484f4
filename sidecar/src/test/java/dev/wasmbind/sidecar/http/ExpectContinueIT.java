package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Expect: 100-continue}, as curl sends it with bodies over 1 KiB, over a real socket: the
 * client sends its body only after the go-ahead, which daprd's Go server gives.
 */
class ExpectContinueIT {

    private static final int MAX_REQUEST_BYTES = 4096;

    private final Vertx vertx = Vertx.vertx();
    private final WorkerPool pool = new WorkerPool(2, 16);
    private int port;

    @BeforeEach
    void start() throws Exception {
        port =
                SingleBindingApi.listen(
                        vertx, pool, "cat", MAX_REQUEST_BYTES, ServerLimits.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool.close();
    }

    @Test
    void shouldGiveTheGoAheadBeforeTheBodyIsSent() throws Exception {
        byte[] body =
                "{\"operation\":\"execute\",\"data\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            // Fails with a read timeout when the server waits for a body the client holds back.
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(headers(body.length));

            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 100 Continue");

            socket.getOutputStream().write(body);
            String answer = readHead(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void shouldRefuseATooLargeDeclaredBodyWithoutTheGoAhead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(headers(MAX_REQUEST_BYTES + 1));

            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    private static byte[] headers(int contentLength) {
        return ("POST /v1.0/bindings/cat HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\n"
                        + "Content-Type: application/json\r\n"
                        + "Expect: 100-continue\r\n"
                        + "Content-Length: "
                        + contentLength
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** One response's status line and headers, up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
