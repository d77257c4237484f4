package dev.wasmbind.sidecar.grpc;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.http.ServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.function.Supplier;

/**
 * Dapr's gRPC API on its own port (daprd's 50001), served by Vert.x's gRPC server on the same
 * Vert.x (and Netty) as the HTTP API.
 *
 * <p>The port listens from the start, but Vert.x's gRPC server and the API behind it are built on
 * the first request: a sidecar whose app never calls gRPC never loads them (nor keeps them in its
 * start-up archive).
 */
public final class DaprGrpcServer {

    /** daprd's default gRPC API port. */
    public static final int DEFAULT_PORT = 50001;

    /** Room for the name, operation and metadata around a request's data. */
    static final long ENVELOPE_BYTES = 64 * 1024;

    private final HttpServer server;

    private DaprGrpcServer(HttpServer server) {
        this.server = server;
    }

    public static Builder builder(
            BindingRegistry registry, BindingInvoker invoker, BindingMetrics metrics) {
        return new Builder(registry, invoker, metrics);
    }

    /** The port it listens on. */
    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close();
    }

    public static final class Builder {
        private final BindingRegistry registry;
        private final BindingInvoker invoker;
        private final BindingMetrics metrics;
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private String appId = "wasmbind";
        private long maxMessageBytes;

        private Builder(BindingRegistry registry, BindingInvoker invoker, BindingMetrics metrics) {
            this.registry = registry;
            this.invoker = invoker;
            this.metrics = metrics;
        }

        /** Loopback by default, like the HTTP API. */
        public Builder withHost(String host) {
            this.host = host;
            return this;
        }

        /** 0 picks a free port. */
        public Builder withPort(int port) {
            this.port = port;
            return this;
        }

        public Builder withAppId(String appId) {
            this.appId = appId;
            return this;
        }

        /**
         * The largest gRPC message read at all; larger ones are refused with {@code
         * RESOURCE_EXHAUSTED} before they are buffered. Each binding's {@code
         * limits.maxRequestBytes} is then checked on the request's data. Default: the largest
         * {@code maxRequestBytes} of the bindings loaded at start (at least the default limit) plus
         * room for the envelope.
         */
        public Builder withMaxMessageBytes(long maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        public Future<DaprGrpcServer> start(Vertx vertx) {
            long max = maxMessageBytes > 0 ? maxMessageBytes : largestRequest() + ENVELOPE_BYTES;
            // Read now: the limit is the one of the bindings loaded at start, as documented.
            Supplier<GrpcServer> grpc =
                    () ->
                            new DaprGrpcApi(registry, invoker, metrics, appId)
                                    .register(
                                            GrpcServer.server(
                                                    vertx,
                                                    new GrpcServerOptions()
                                                            .setMaxMessageSize(
                                                                    Math.min(
                                                                            max,
                                                                            Integer.MAX_VALUE))));
            return vertx.createHttpServer(ServerOptions.at(host, port))
                    .requestHandler(new BuiltOnFirstRequest(grpc))
                    .listen()
                    .map(DaprGrpcServer::new);
        }

        private long largestRequest() {
            long largest = Limits.DEFAULT_MAX_REQUEST_BYTES;
            for (Binding binding : registry.all()) {
                if (binding instanceof Binding.Ready ready) {
                    largest = Math.max(largest, ready.maxRequestBytes());
                }
            }
            return largest;
        }
    }

    /** Hands every request to the gRPC server, which the first request builds. */
    private static final class BuiltOnFirstRequest implements Handler<HttpServerRequest> {
        private final Supplier<GrpcServer> build;
        private volatile GrpcServer server;

        BuiltOnFirstRequest(Supplier<GrpcServer> build) {
            this.build = build;
        }

        @Override
        public void handle(HttpServerRequest request) {
            GrpcServer built = server;
            if (built == null) {
                synchronized (this) {
                    built = server;
                    if (built == null) {
                        built = build.get();
                        server = built;
                    }
                }
            }
            built.handle(request);
        }
    }
}
