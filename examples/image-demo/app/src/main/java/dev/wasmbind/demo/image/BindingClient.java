package dev.wasmbind.demo.image;

import com.google.protobuf.ByteString;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprProtos.InvokeBindingRequest;
import io.dapr.v1.DaprProtos.InvokeBindingResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;

/**
 * Calls output bindings through a Dapr sidecar's gRPC API ({@code InvokeBinding}), where {@code
 * data} travels as raw bytes: the binary path (the HTTP API JSON-encodes {@code data}).
 */
public final class BindingClient implements AutoCloseable {

    private final GrpcClient client;
    private final SocketAddress sidecar;

    private BindingClient(GrpcClient client, SocketAddress sidecar) {
        this.client = client;
        this.sidecar = sidecar;
    }

    /**
     * A client of the sidecar at {@code host:port} accepting responses up to {@code
     * maxResponseBytes} (gRPC clients refuse messages above 256 KiB by default).
     */
    public static BindingClient create(Vertx vertx, String host, int port, long maxResponseBytes) {
        var options = new GrpcClientOptions().setMaxMessageSize(maxResponseBytes);
        return new BindingClient(
                GrpcClient.client(vertx, options), SocketAddress.inetSocketAddress(port, host));
    }

    /** The sidecar's address, for error messages. */
    public String sidecarAddress() {
        return sidecar.host() + ":" + sidecar.port();
    }

    /**
     * Invokes {@code binding} with {@code operation} and {@code data}; the result is the response's
     * {@code data}. Fails with {@link BindingCallException} when the sidecar answers an error
     * status, or with the transport's exception when it cannot be reached.
     */
    public Future<Buffer> invoke(String binding, String operation, Buffer data) {
        var request =
                InvokeBindingRequest.newBuilder()
                        .setName(binding)
                        .setOperation(operation)
                        .setData(ByteString.copyFrom(data.getBytes()))
                        .build();
        return client.request(sidecar, DaprGrpc.getInvokeBindingMethod())
                .compose(
                        call -> {
                            call.end(request);
                            return call.response();
                        })
                .compose(
                        response -> {
                            InvokeBindingResponse[] last = new InvokeBindingResponse[1];
                            response.handler(message -> last[0] = message);
                            // end() fails on a non-OK status: look at the status instead.
                            return response.end()
                                    .transform(
                                            ended -> {
                                                GrpcStatus status = response.status();
                                                if (status == GrpcStatus.OK && last[0] != null) {
                                                    return Future.succeededFuture(
                                                            Buffer.buffer(
                                                                    last[0].getData()
                                                                            .toByteArray()));
                                                }
                                                if (status == null || status == GrpcStatus.OK) {
                                                    return Future.failedFuture(
                                                            ended.failed()
                                                                    ? ended.cause()
                                                                    : new BindingCallException(
                                                                            GrpcStatus.UNKNOWN,
                                                                            "no response"
                                                                                    + " message"));
                                                }
                                                return Future.failedFuture(
                                                        new BindingCallException(
                                                                status, response.statusMessage()));
                                            });
                        });
    }

    @Override
    public void close() {
        client.close();
    }
}
