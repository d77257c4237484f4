package dev.wasmbind.demo.image;

import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The demo as it runs: the real sidecar on {@code examples/image-demo/bindings} (gRPC on a free
 * port) and the web app calling it, both on 127.0.0.1.
 */
final class DemoStack implements AutoCloseable {

    /** The example's folder, from the module's directory (where Maven runs the tests). */
    static final Path EXAMPLE = Path.of("..").toAbsolutePath().normalize();

    static final Path PHOTO = EXAMPLE.resolve("rocket.jpg");

    private final StandaloneSidecar sidecar;
    private final Vertx vertx;
    private final HttpServer app;

    private DemoStack(StandaloneSidecar sidecar, Vertx vertx, HttpServer app) {
        this.sidecar = sidecar;
        this.vertx = vertx;
        this.app = app;
    }

    static DemoStack start() throws Exception {
        // Compiled before listening: the interpreter would take seconds per photo.
        StandaloneSidecar sidecar =
                StandaloneSidecar.builder(EXAMPLE.resolve("bindings"))
                        .withPort(0)
                        .withGrpcPort(0)
                        .withInterpretFirst(false)
                        .start();
        Vertx vertx = Vertx.vertx();
        var client =
                BindingClient.create(
                        vertx,
                        "127.0.0.1",
                        sidecar.grpcPort(),
                        ImageDemoServer.MAX_UPLOAD_BYTES + 1024);
        HttpServer app =
                new ImageDemoServer(client, "grey")
                        .listen(vertx, "127.0.0.1", 0)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
        return new DemoStack(sidecar, vertx, app);
    }

    String url() {
        return "http://127.0.0.1:" + app.actualPort() + "/";
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        sidecar.close();
    }
}
