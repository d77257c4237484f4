package dev.wasmbind.demo.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /grey against the real sidecar and grey.wasm, without a browser. */
class ImageDemoServerIT {

    private static DemoStack demo;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        demo = DemoStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (demo != null) {
            demo.close();
        }
    }

    private static HttpResponse<byte[]> post(String url, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url + "grey"))
                        .header("Content-Type", "image/jpeg")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void shouldAnswerAGreyPngOfTheSameSizeWithTheTimeTaken() throws Exception {
        HttpResponse<byte[]> response = post(demo.url(), Files.readAllBytes(DemoStack.PHOTO));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(response.headers().firstValue("Server-Timing"))
                .hasValueSatisfying(t -> assertThat(t).matches("binding;dur=[0-9]+\\.[0-9];.*"));
        BufferedImage grey = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertThat(grey.getWidth()).isEqualTo(640);
        assertThat(grey.getHeight()).isEqualTo(427);
        assertThat(grey.getColorModel().getNumComponents()).isEqualTo(1);
    }

    @Test
    void shouldTurnEveryPixelIntoItsLuma() throws Exception {
        // The photo as a PNG: lossless, so both sides see the same RGB (JPEG decoders differ).
        BufferedImage original = ImageIO.read(DemoStack.PHOTO.toFile());
        var png = new ByteArrayOutputStream();
        ImageIO.write(original, "png", png);

        HttpResponse<byte[]> response = post(demo.url(), png.toByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        BufferedImage grey = ImageIO.read(new ByteArrayInputStream(response.body()));
        int wrong = 0;
        for (int y = 0; y < original.getHeight(); y++) {
            for (int x = 0; x < original.getWidth(); x++) {
                int rgb = original.getRGB(x, y);
                double luma =
                        0.299 * (rgb >> 16 & 0xff)
                                + 0.587 * (rgb >> 8 & 0xff)
                                + 0.114 * (rgb & 0xff);
                if (Math.abs(luma - grey.getRaster().getSample(x, y, 0)) > 0.5 + 1e-3) {
                    wrong++;
                }
            }
        }
        assertThat(wrong).as("pixels that are not the rounded BT.601 luma").isZero();
    }

    @Test
    void shouldAnswer502WithTheProgramsReasonWhenTheBodyIsNotAnImage() throws Exception {
        HttpResponse<byte[]> response = post(demo.url(), "not a picture".getBytes());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(new String(response.body()))
                .startsWith("the grey binding failed: INTERNAL: ")
                .contains("exit_code(2)")
                .contains("grey: not a PNG or JPEG image");
    }

    @Test
    void shouldAnswer415ForAForm() throws Exception {
        HttpResponse<byte[]> response =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(demo.url() + "grey"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("a=b"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(new String(response.body())).contains("not application/x-www-form-urlencoded");
    }

    @Test
    void shouldAnswer400ForAnEmptyBody() throws Exception {
        HttpResponse<byte[]> response = post(demo.url(), new byte[0]);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body())).contains("send a PNG or JPEG image");
    }

    @Test
    void shouldAnswer503NamingTheSidecarWhenItIsNotReachable() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Vertx vertx = Vertx.vertx();
        try {
            var client = BindingClient.create(vertx, "127.0.0.1", closedPort, 1024);
            var app =
                    new ImageDemoServer(client, "grey")
                            .listen(vertx, "127.0.0.1", 0)
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS);

            HttpResponse<byte[]> response =
                    post("http://127.0.0.1:" + app.actualPort() + "/", new byte[] {1, 2, 3});

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(new String(response.body()))
                    .contains("the sidecar is not reachable on 127.0.0.1:" + closedPort);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldServeThePage() throws Exception {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(demo.url())).build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("<input type=\"file\" id=\"file\"");
    }
}
