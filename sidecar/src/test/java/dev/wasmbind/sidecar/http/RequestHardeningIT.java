package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that try to hold the sidecar, over real HTTP on 127.0.0.1: bodies that are slow to
 * encode or deeply nested, more body bytes than the sidecar holds at once, and clients dripping
 * their headers.
 */
class RequestHardeningIT {

    private static final Path CAT = Path.of("src/test/resources/wasm/cat.wasm").toAbsolutePath();
    private static final int MIB = 1024 * 1024;
    private static final long BYTES_IN_FLIGHT = 6L * MIB;

    @TempDir static Path resources;

    private static StandaloneSidecar sidecar;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(
                resources.resolve("cat.yaml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: cat}
                spec:
                  url: "file://%s"
                  limits: {maxRequestBytes: 8Mi, timeout: 60s}
                """
                        .formatted(CAT));
        sidecar =
                StandaloneSidecar.builder(resources)
                        .withPort(0)
                        .withServerLimits(
                                ServerLimits.defaults()
                                        .withHeaderTimeout(Duration.ofMillis(500))
                                        .withRequestBytesInFlight(BYTES_IN_FLIGHT))
                        .start();
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + sidecar.port()
                                                + "/v1.0/bindings/cat"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String execute(String data) {
        return "{\"operation\":\"execute\",\"data\":" + data + "}";
    }

    @Test
    void shouldAnswerFourMegabytesOfLongFloatsWithGosBytes() throws Exception {
        // Exact decimal expansions of doubles, and what Go's json.Marshal writes for each.
        String[][] floats = {
            {"0.1000000000000000055511151231257827021181583404541015625", "0.1"},
            {"3.141592653589793115997963468544185161590576171875", "3.141592653589793"},
            {
                "179769313486231570814527423731704356798070567525844996598917476803157260780028538"
                        + "760589558632766878171540458953514382464234321326889464182768467546703537516986"
                        + "049910576551282076245490090389328944075868508455133942304583236903222948165808"
                        + "559332123348274797826204144723168738177180919299881250404026184124858368",
                "1.7976931348623157e+308"
            },
            {"0.0000000596046447753906250", "5.960464477539063e-8"},
            {"-123456789012345678901234567890.123456789e-50", "-1.2345678901234568e-21"},
        };
        var body = new StringBuilder("[");
        var expected = new StringBuilder("[");
        for (int i = 0; body.length() < 4 * MIB - 1024; i++) {
            if (i > 0) {
                body.append(',');
                expected.append(',');
            }
            body.append(floats[i % floats.length][0]);
            expected.append(floats[i % floats.length][1]);
        }
        body.append(']');
        expected.append(']');

        HttpResponse<String> response = post(execute(body.toString()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(expected.toString());
    }

    @Test
    void shouldAcceptTheTenThousandLevelsGoAccepts() throws Exception {
        // The envelope is the first level.
        String deep = "[".repeat(9_999) + "]".repeat(9_999);

        HttpResponse<String> response = post(execute(deep));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(deep);
    }

    @Test
    void shouldRefuseDeeperNestingWithGosMessage() throws Exception {
        HttpResponse<String> response = post(execute("[".repeat(100_000)));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject error = new JsonObject(response.body());
        assertThat(error.getString("errorCode")).isEqualTo("ERR_MALFORMED_REQUEST");
        assertThat(error.getString("message"))
                .isEqualTo(
                        "failed deserializing HTTP body: invalid character '[' exceeded max depth");
    }

    @Test
    void shouldAnswer503BeyondTheRequestBytesInFlight() throws Exception {
        long declared = 4L * MIB;
        try (Socket slow = new Socket("127.0.0.1", sidecar.port())) {
            // Declares 4 MiB and sends ten bytes: the sidecar holds the 4 MiB for it.
            OutputStream out = slow.getOutputStream();
            out.write(head(declared).getBytes(StandardCharsets.US_ASCII));
            out.write("{\"operati".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            HttpResponse<String> refused =
                    await().atMost(Duration.ofSeconds(60))
                            .until(
                                    () -> post(execute("\"" + "x".repeat(3 * MIB) + "\"")),
                                    r -> r.statusCode() == 503);

            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(new JsonObject(refused.body()).getString("message"))
                    .contains("bytes of request bodies")
                    .contains("its limit of " + BYTES_IN_FLIGHT + " bytes; retry later");
        }
        // The slow request's bytes are given back when its connection closes.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> post(execute("\"" + "x".repeat(3 * MIB) + "\"")).statusCode() == 200);
    }

    @Test
    void shouldCloseAConnectionDrippingItsHeaders() throws Exception {
        try (Socket drip = new Socket("127.0.0.1", sidecar.port())) {
            drip.setSoTimeout(60_000);
            OutputStream out = drip.getOutputStream();
            out.write(
                    "POST /v1.0/bindings/cat HTTP/1.1\r\nHost: x\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var dripping =
                    new Thread(
                            () -> {
                                try {
                                    // A header byte every 100 ms keeps an idle timeout from firing.
                                    for (int i = 0; i < 600; i++) {
                                        out.write('a');
                                        out.flush();
                                        Thread.sleep(100);
                                    }
                                } catch (IOException | InterruptedException e) {
                                    // closed by the sidecar: what the test waits for
                                }
                            });
            dripping.setDaemon(true);
            dripping.start();

            assertThat(readUntilClosed(drip.getInputStream())).isTrue();
            dripping.interrupt();
        }
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

    private static String head(long contentLength) {
        return "POST /v1.0/bindings/cat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + contentLength
                + "\r\n\r\n";
    }
}
