package dev.wasmbind.sidecar.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code POST|PUT /v1.0/bindings/{name}} request while it is read, run and answered: its
 * binding's name, its form, when it started, and what runs once its answer is sent or its
 * connection is gone (the request bytes it reserved go back).
 */
final class BindingExchange {

    final HttpServerRequest request;
    final String name;

    /** The binary form ({@code application/octet-stream}), else the JSON envelope. */
    final boolean binary;

    final long started = System.nanoTime();

    /** Bytes of the request-bytes budget this request holds (event loop only). */
    long reserved;

    private List<Runnable> onEnd = new ArrayList<>(2);

    BindingExchange(HttpServerRequest request, String name, boolean binary) {
        this.request = request;
        this.name = name;
        this.binary = binary;
    }

    HttpServerResponse response() {
        return request.response();
    }

    /** Runs {@code action} once the exchange has ended (at once if it already has). */
    void onEnd(Runnable action) {
        if (onEnd == null) {
            action.run();
        } else {
            onEnd.add(action);
        }
    }

    /**
     * The answer was sent or the connection failed: runs the end actions, the first time only.
     * Called on the request's event loop.
     */
    void ended() {
        List<Runnable> actions = onEnd;
        if (actions != null) {
            onEnd = null;
            actions.forEach(Runnable::run);
        }
    }
}
