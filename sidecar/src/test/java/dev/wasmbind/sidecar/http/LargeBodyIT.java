package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large bodies over real HTTP on 127.0.0.1, one after another so that their arrays are reused
 * ({@link BodyArrayPool}) and STDIN is a range of them: every guest must read exactly its own
 * request's data, whatever came before it in the array.
 */
class LargeBodyIT {

    private static final Path CAT = Path.of("src/test/resources/wasm/cat.wasm").toAbsolutePath();
    private static final int MIB = 1024 * 1024;

    @TempDir static Path resources;

    private static StandaloneSidecar sidecar;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        for (String name : new String[] {"raw", "encoded"}) {
            Files.writeString(
                    resources.resolve(name + ".yaml"),
                    """
                    apiVersion: wasmbind.dev/v1alpha1
                    kind: WasmBinding
                    metadata: {name: %s}
                    spec:
                      url: "file://%s"
                      rawData: %s
                      limits: {maxRequestBytes: 4Mi, timeout: 60s}
                    """
                            .formatted(name, CAT, name.equals("raw")));
        }
        sidecar = StandaloneSidecar.builder(resources).withPort(0).start();
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static HttpResponse<String> post(String binding, String contentType, String body)
            throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + sidecar.port()
                                                + "/v1.0/bindings/"
                                                + binding))
                        .header("Content-Type", contentType)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String execute(String data) {
        return "{\"operation\":\"execute\",\"data\":" + data + "}";
    }

    /** Hex text of {@code bytes} characters, different for every seed. */
    private static String hex(int chars, long seed) {
        byte[] bytes = new byte[chars / 2];
        new Random(seed).nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Test
    void shouldHandEachGuestExactlyItsOwnDataWhenLargeBodiesFollowEachOther() throws Exception {
        int seed = 0;
        for (int size : new int[] {3 * MIB, MIB, 2 * MIB, MIB / 2, 3 * MIB}) {
            String data = hex(size, seed++);
            HttpResponse<String> raw = post("raw", "application/json", execute('"' + data + '"'));
            HttpResponse<String> encoded =
                    post("encoded", "application/json", execute('"' + data + '"'));

            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.body()).isEqualTo(data);
            assertThat(encoded.statusCode()).isEqualTo(200);
            assertThat(encoded.body()).isEqualTo('"' + data + '"');
        }
    }

    @Test
    void shouldDecodeEscapesAndBinaryBodiesAfterLargeRangedBodies() throws Exception {
        String large = hex(3 * MIB, 100);
        assertThat(post("raw", "application/json", execute('"' + large + '"')).body())
                .isEqualTo(large);

        String escaped = "line\\n".repeat(200_000);
        HttpResponse<String> decoded =
                post("raw", "application/json", execute('"' + escaped + '"'));
        String binary = hex(MIB, 101);
        HttpResponse<String> octets = post("raw", RawBindingRequest.CONTENT_TYPE, binary);

        assertThat(decoded.body()).isEqualTo("line\n".repeat(200_000));
        assertThat(octets.statusCode()).isEqualTo(200);
        assertThat(octets.body()).isEqualTo(binary);
        assertThat(binary.getBytes(StandardCharsets.US_ASCII)).hasSize(MIB);
    }

    @Test
    void shouldAnswer413ForALargeBodyOverTheLimit() throws Exception {
        HttpResponse<String> response =
                post("raw", "application/json", execute('"' + hex(4 * MIB, 7) + '"'));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("larger than limits.maxRequestBytes (4194304 bytes)");
    }
}
