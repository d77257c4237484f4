package dev.wasmbind.sidecar.http;

import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sidecar's one Vert.x instance: one event loop, on Netty's epoll transport where it runs. */
public final class SidecarVertx {

    private static final Logger LOG = LoggerFactory.getLogger(SidecarVertx.class);
    private static final AtomicBoolean DIRECT_BUFFERS_LOGGED = new AtomicBoolean();

    private SidecarVertx() {}

    /**
     * One event loop (the APIs only parse, route and answer; guests run on the worker pool) and two
     * Vert.x workers. The servers (HTTP API, health, gRPC) are all created from the start-up
     * thread, and Vert.x keeps the context it makes for a thread not its own (a thread-local
     * "sticky" context), so one event loop serves all their connections whatever the pool's size;
     * putting the API on two loops was measured: more CPU per request, healthz slower
     * (docs/bench/http-path.md, "Round 6"). Netty's native epoll transport where it loads (Linux on
     * x86_64 or arm64): it takes fewer system calls per request than Java NIO; elsewhere Java NIO,
     * said in one line. Likewise for where Netty's pooled direct buffers come from (below).
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
        if (DIRECT_BUFFERS_LOGGED.compareAndSet(false, true)) {
            logDirectBuffers(); // once per JVM: tests create many
        }
        return vertx;
    }

    /**
     * Netty allocates its pooled direct buffers itself when it may reach {@code
     * java.nio.DirectByteBuffer}'s constructor: {@code -Dio.netty.tryReflectionSetAccessible=true}
     * (the documented flags) and {@code java.base/java.nio} opened to the class path, which the
     * jar's manifest does for {@code java -jar} (an {@code --add-opens} flag would do it too, but
     * makes a JDK 17 or 25 start with a class-data archive ~40 ms slower: docs/bench/startup.md,
     * "Round 10"). Otherwise it falls back to the JDK's buffers, which zero a whole 4 MiB chunk.
     */
    private static void logDirectBuffers() {
        if (PlatformDependent.useDirectBufferNoCleaner()) {
            LOG.debug("pooled direct buffers: Netty's own");
        } else {
            LOG.info(
                    "Netty's pooled direct buffers come from the JDK (a zeroed 4 MiB chunk stays"
                            + " resident): run with java -jar and"
                            + " -Dio.netty.tryReflectionSetAccessible=true to avoid it");
        }
    }
}
