package dev.wasmbind.demo.image;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the image demo. Configured like a Dapr app, from the environment: {@code PORT} (the page,
 * default 8080), {@code DAPR_GRPC_PORT} (the sidecar's gRPC API on localhost, default 50001: the
 * injector sets it in a pod), {@code GREY_BINDING} (default {@code grey}) and {@code
 * LISTEN_ADDRESS} (default 0.0.0.0).
 */
public final class ImageDemo {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDemo.class);

    private ImageDemo() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
        int grpcPort = Integer.parseInt(env.getOrDefault("DAPR_GRPC_PORT", "50001"));
        String host = env.getOrDefault("LISTEN_ADDRESS", "0.0.0.0");
        String binding = env.getOrDefault("GREY_BINDING", "grey");

        Vertx vertx = Vertx.vertx();
        var client =
                BindingClient.create(
                        vertx, "127.0.0.1", grpcPort, ImageDemoServer.MAX_UPLOAD_BYTES + 1024);
        HttpServer server =
                new ImageDemoServer(client, binding)
                        .listen(vertx, host, port)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
        LOG.info(
                "image demo on http://localhost:{}/ (binding {} through the sidecar's gRPC API on"
                        + " 127.0.0.1:{})",
                server.actualPort(),
                binding,
                grpcPort);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () ->
                                        vertx.close()
                                                .toCompletionStage()
                                                .toCompletableFuture()
                                                .join()));
    }
}
