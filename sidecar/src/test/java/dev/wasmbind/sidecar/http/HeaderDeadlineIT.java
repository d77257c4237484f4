package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The header deadline on kept-alive HTTP/1 connections, over real sockets on 127.0.0.1: it counts
 * again from each answer, and not while a request is being answered.
 */
class HeaderDeadlineIT {

    private static final Duration HEADER_TIMEOUT = Duration.ofMillis(300);

    private final Vertx vertx = Vertx.vertx();
    private final WorkerPool pool = new WorkerPool(2, 16);
    private int port;

    @BeforeEach
    void start() throws Exception {
        port =
                SingleBindingApi.listen(
                        vertx,
                        pool,
                        "sleep",
                        1024,
                        ServerLimits.defaults().withHeaderTimeout(HEADER_TIMEOUT));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool.close();
    }

    @Test
    void shouldCloseAKeptAliveConnectionThatDripsItsNextRequest() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(ascii("GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 204");

            out.write(ascii("GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n"));
            out.flush();
            var dripping = drip(out);

            assertThat(readUntilClosed(in)).isTrue();
            dripping.interrupt();
        }
    }

    @Test
    void shouldKeepAConnectionWhoseRequestRunsPastTheTimeout() throws Exception {
        String body = "{\"operation\":\"execute\",\"metadata\":{\"args\":\"1000\"}}";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ascii(
                            "POST /v1.0/bindings/sleep HTTP/1.1\r\nHost: x\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: "
                                    + body.length()
                                    + "\r\n\r\n"
                                    + body));
            out.flush();

            // The guest sleeps for a second, past the 300 ms header timeout.
            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    private static Thread drip(OutputStream out) {
        var dripping =
                new Thread(
                        () -> {
                            try {
                                // A header byte every 50 ms keeps an idle timeout from firing.
                                for (int i = 0; i < 600; i++) {
                                    out.write('a');
                                    out.flush();
                                    Thread.sleep(50);
                                }
                            } catch (IOException | InterruptedException e) {
                                // closed by the sidecar: what the test waits for
                            }
                        });
        dripping.setDaemon(true);
        dripping.start();
        return dripping;
    }

    /** The status line and headers of one answer (the answers here have short bodies or none). */
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

    /** True once the peer closes (EOF or reset); false if it is still open after the timeout. */
    private static boolean readUntilClosed(InputStream in) {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
