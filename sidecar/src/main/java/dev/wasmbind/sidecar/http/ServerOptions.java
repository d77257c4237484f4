package dev.wasmbind.sidecar.http;

import io.vertx.core.http.HttpServerOptions;

/** What every HTTP server of the sidecar (Dapr's HTTP and gRPC APIs, the health port) shares. */
public final class ServerOptions {

    private ServerOptions() {}

    /**
     * A server on {@code host:port} without WebSocket compression. The sidecar serves no WebSocket
     * (no route upgrades a connection), but with compression on, Vert.x puts Netty's WebSocket
     * extension handler and both compression handshakers into every HTTP/1 connection's pipeline: 8
     * classes initialised at the first connection, a handler every request passes through.
     */
    public static HttpServerOptions at(String host, int port) {
        return new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
    }
}
