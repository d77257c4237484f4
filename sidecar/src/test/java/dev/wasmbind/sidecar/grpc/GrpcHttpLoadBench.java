package dev.wasmbind.sidecar.grpc;

import com.google.protobuf.ByteString;
import dev.wasmbind.sidecar.standalone.StandaloneSidecar;
import io.dapr.v1.DaprGrpc;
import io.dapr.v1.DaprProtos.InvokeBindingRequest;
import io.dapr.v1.DaprProtos.InvokeBindingResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * gRPC {@code InvokeBinding} next to HTTP execute of the same tiny module in one run: a closed loop
 * of {@code concurrency} outstanding calls per protocol, a warm-up, then {@code seconds} of load;
 * prints req/s, p50 and p99. The sidecar runs in this JVM (like wrk, the client shares the
 * machine). Usage: {@code GrpcHttpLoadBench MODULE.wasm [seconds] [concurrency]}
 * (scripts/bench-grpc.sh).
 */
public final class GrpcHttpLoadBench {

    private GrpcHttpLoadBench() {}

    /** Starts one call; calls {@code done} with false on failure. */
    private interface Caller {
        void call(Consumer<Boolean> done);
    }

    public static void main(String[] args) throws Exception {
        Path module = Path.of(args[0]).toAbsolutePath();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        Path resources = Files.createTempDirectory("grpc-bench");
        Files.writeString(
                resources.resolve("tiny.yaml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata: {name: tiny}
                spec:
                  url: "file://%s"
                  limits: {maxConcurrency: 1000}
                """
                        .formatted(module));
        try (StandaloneSidecar sidecar =
                StandaloneSidecar.builder(resources)
                        .withPort(0)
                        .withGrpcPort(0)
                        .withInterpretFirst(false)
                        .start()) {
            ManagedChannel channel =
                    ManagedChannelBuilder.forAddress("127.0.0.1", sidecar.grpcPort())
                            .usePlaintext()
                            .build();
            var stub = DaprGrpc.newStub(channel);
            InvokeBindingRequest request =
                    InvokeBindingRequest.newBuilder()
                            .setName("tiny")
                            .setOperation("execute")
                            .setData(ByteString.copyFromUtf8("hello"))
                            .build();
            Caller grpc =
                    done ->
                            stub.invokeBinding(
                                    request,
                                    new StreamObserver<InvokeBindingResponse>() {
                                        @Override
                                        public void onNext(InvokeBindingResponse value) {}

                                        @Override
                                        public void onError(Throwable t) {
                                            done.accept(false);
                                        }

                                        @Override
                                        public void onCompleted() {
                                            done.accept(true);
                                        }
                                    });
            Vertx vertx = Vertx.vertx();
            HttpClient http =
                    vertx.createHttpClient(
                            new HttpClientOptions().setKeepAlive(true),
                            new PoolOptions().setHttp1MaxSize(concurrency));
            Buffer body = Buffer.buffer("{\"operation\":\"execute\",\"data\":\"hello\"}");
            RequestOptions post =
                    new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(sidecar.port())
                            .setURI("/v1.0/bindings/tiny");
            Caller httpCall =
                    done ->
                            http.request(post)
                                    .compose(r -> r.send(body))
                                    .compose(r -> r.body().map(b -> r.statusCode() == 200))
                                    .onComplete(ar -> done.accept(ar.succeeded() && ar.result()));
            System.out.printf(
                    "| protocol | req/s | p50 ms | p99 ms | errors |%n|---|---|---|---|---|%n");
            // Warm both paths up (JIT, compiled module) before measuring either.
            run(grpc, concurrency, 5);
            run(httpCall, concurrency, 5);
            System.out.println(row("gRPC InvokeBinding", run(grpc, concurrency, seconds)));
            System.out.println(row("HTTP execute", run(httpCall, concurrency, seconds)));
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private record Result(long calls, long errors, double seconds, long[] nanos) {}

    private static String row(String name, Result r) {
        Arrays.sort(r.nanos);
        return String.format(
                "| %s | %.0f | %.2f | %.2f | %d |",
                name,
                r.calls / r.seconds,
                percentile(r.nanos, 0.50) / 1e6,
                percentile(r.nanos, 0.99) / 1e6,
                r.errors);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0
                ? 0
                : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)];
    }

    private static Result run(Caller caller, int concurrency, int seconds) throws Exception {
        long[] nanos = new long[4_000_000];
        AtomicInteger count = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            loop(caller, nanos, count, errors, stop, finished);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        finished.await(30, TimeUnit.SECONDS);
        double took = (System.nanoTime() - start) / 1e9;
        int n = Math.min(count.get(), nanos.length);
        return new Result(count.get(), errors.get(), took, Arrays.copyOf(nanos, n));
    }

    private static void loop(
            Caller caller,
            long[] nanos,
            AtomicInteger count,
            AtomicInteger errors,
            AtomicBoolean stop,
            CountDownLatch finished) {
        long began = System.nanoTime();
        caller.call(
                ok -> {
                    int i = count.getAndIncrement();
                    if (i < nanos.length) {
                        nanos[i] = System.nanoTime() - began;
                    }
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                    if (stop.get()) {
                        finished.countDown();
                    } else {
                        loop(caller, nanos, count, errors, stop, finished);
                    }
                });
    }
}
