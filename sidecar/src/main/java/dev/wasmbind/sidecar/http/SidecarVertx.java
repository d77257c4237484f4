package dev.wasmbind.sidecar.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sidecar's one Vert.x instance: one event loop, on Netty's epoll transport where it runs. */
public final class SidecarVertx {

    private static final Logger LOG = LoggerFactory.getLogger(SidecarVertx.class);

    private SidecarVertx() {}

    /**
     * One event loop (the APIs only parse, route and answer; guests run on the worker pool) and two
     * Vert.x workers. The servers (HTTP API, health, gRPC) are all created from the start-up
     * thread, and Vert.x keeps the context it makes for a thread not its own (a thread-local
     * "sticky" context), so one event loop serves all their connections whatever the pool's size;
     * putting the API on two loops was measured: more CPU per request, healthz slower
     * (docs/bench/http-path.md, "Round 6"). Netty's native epoll transport where it loads (Linux on
     * x86_64 or arm64): it takes fewer system calls per request than Java NIO; elsewhere Java NIO,
     * said in one line.
     */
    public static Vertx create() {
        Vertx vertx =
                Vertx.vertx(
                        new VertxOptions()
                                .setEventLoopPoolSize(1)
                                .setWorkerPoolSize(2)
                                .setPreferNativeTransport(true));
        if (vertx.isNativeTransportEnabled()) {
            LOG.debug("network transport: Netty's native epoll");
        } else {
            Throwable cause = vertx.unavailableNativeTransportCause();
            LOG.info(
                    "Netty's native transport is unavailable ({}): using Java NIO",
                    cause == null ? "not found" : cause.toString());
        }
        return vertx;
    }
}
