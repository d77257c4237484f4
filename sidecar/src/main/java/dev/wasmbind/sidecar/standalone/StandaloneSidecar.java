package dev.wasmbind.sidecar.standalone;

import dev.wasmbind.module.source.FetchPolicy;
import dev.wasmbind.module.source.ModuleSources;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.sidecar.binding.BackgroundCompilation;
import dev.wasmbind.sidecar.binding.Binding;
import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingLoader;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.grpc.DaprGrpcServer;
import dev.wasmbind.sidecar.http.DaprHttpApi;
import dev.wasmbind.sidecar.http.ServerLimits;
import dev.wasmbind.sidecar.http.SidecarVertx;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sidecar serving the WasmBindings of a folder: loads them all (in parallel, one failure never
 * stops the others), then serves Dapr's HTTP API and, when given a port, its gRPC API.
 */
public final class StandaloneSidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneSidecar.class);

    /** One background compiler thread, so that compiling leaves a core to serve calls. */
    private static final Executor COMPILE_THREAD =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "wasm-compiler");
                        t.setDaemon(true);
                        return t;
                    });

    private final Vertx vertx;
    private final WorkerPool pool;
    private final BindingRegistry registry;
    private final HttpServer server;
    private final DaprGrpcServer grpcServer;

    private StandaloneSidecar(
            Vertx vertx,
            WorkerPool pool,
            BindingRegistry registry,
            HttpServer server,
            DaprGrpcServer grpcServer) {
        this.vertx = vertx;
        this.pool = pool;
        this.registry = registry;
        this.server = server;
        this.grpcServer = grpcServer;
    }

    public static Builder builder(Path resources) {
        return new Builder(resources);
    }

    /** The port the HTTP API listens on. */
    public int port() {
        return server.actualPort();
    }

    /** The port the gRPC API listens on, or -1 without one. */
    public int grpcPort() {
        return grpcServer == null ? -1 : grpcServer.port();
    }

    public BindingRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (grpcServer != null) {
                grpcServer
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("shutdown was not clean: {}", e.toString());
        } finally {
            pool.close();
        }
    }

    /**
     * Loads every resource of the folder into {@code registry}; failures become failed bindings.
     * With {@code interpretFirst} modules start on the interpreter (see {@link #compileAll}).
     */
    static void loadAll(
            Path resources,
            ModuleCompiler compiler,
            BindingRegistry registry,
            boolean interpretFirst)
            throws IOException {
        List<ResourceLoader.Found> found = new ResourceLoader().load(resources);
        var validator = ModuleValidator.create();
        Map<Path, BindingLoader> loaders = new HashMap<>();
        List<CompletableFuture<Binding>> loads = new ArrayList<>();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        var executor = Executors.newFixedThreadPool(threads);
        try {
            for (var item : found) {
                if (item.spec() == null) {
                    if (item.name() != null) {
                        registry.put(new Binding.Failed(item.name(), "", item.problem()));
                    }
                    continue;
                }
                BindingLoader loader =
                        loaders.computeIfAbsent(
                                item.baseDir(),
                                dir ->
                                        new BindingLoader(
                                                ModuleSources.fetcher(FetchPolicy.standalone(dir)),
                                                validator,
                                                compiler));
                loads.add(
                        CompletableFuture.supplyAsync(
                                () ->
                                        interpretFirst
                                                ? loader.loadInterpreted(item.name(), item.spec())
                                                : loader.load(item.name(), item.spec()),
                                executor));
            }
            for (var load : loads) {
                Binding binding = load.join();
                registry.put(binding)
                        .ifPresent(
                                previous ->
                                        LOG.error(
                                                "binding {} is defined more than once; the last"
                                                        + " one read wins",
                                                binding.name()));
            }
        } finally {
            executor.shutdown();
        }
        if (registry.isEmpty()) {
            LOG.warn("no WasmBinding found in {}", resources);
        }
    }

    /**
     * Compiles the modules of interpreted bindings in the background and swaps each compiled one
     * in; calls already running finish on the interpreter. A module Chicory cannot compile stays on
     * the interpreter (logged).
     */
    static void compileAll(BindingRegistry registry, ModuleCompiler compiler, Executor executor) {
        for (Binding binding : registry.all()) {
            if (binding instanceof Binding.Ready ready) {
                BackgroundCompilation.swapInWhenCompiled(registry, ready, compiler, executor);
            }
        }
    }

    public static final class Builder {
        private final Path resources;
        private String host = "127.0.0.1";
        private int port = 3500;
        private int grpcPort = -1;
        private String appId = "wasmbind";
        private boolean interpretFirst = true;
        private ServerLimits serverLimits = ServerLimits.defaults();

        private Builder(Path resources) {
            this.resources = resources;
        }

        public Builder withHost(String host) {
            this.host = host;
            return this;
        }

        /** The HTTP port; 0 picks a free one. */
        public Builder withPort(int port) {
            this.port = port;
            return this;
        }

        /**
         * The port of Dapr's gRPC API ({@link DaprGrpcServer#DEFAULT_PORT} in daprd); 0 picks a
         * free one; negative (the default) serves no gRPC API.
         */
        public Builder withGrpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder withAppId(String appId) {
            this.appId = appId;
            return this;
        }

        /**
         * True (the default): serve at once on the interpreter and compile in the background.
         * False: compile every module before listening.
         */
        public Builder withInterpretFirst(boolean interpretFirst) {
            this.interpretFirst = interpretFirst;
            return this;
        }

        /** Timeouts and sizes of the HTTP server ({@link ServerLimits#defaults()} by default). */
        public Builder withServerLimits(ServerLimits serverLimits) {
            this.serverLimits = serverLimits;
            return this;
        }

        /** Loads the bindings and starts listening; returns once the API answers. */
        public StandaloneSidecar start() throws IOException, InterruptedException {
            // Markers for scripts/bench-startup.sh, which times them by their log timestamps
            // (asking the JVM's uptime here would load java.management: ~10 ms of the start).
            LOG.debug("starting");
            // Vert.x takes a while to load: start it while the bindings load.
            CompletableFuture<Vertx> vertxStarting =
                    CompletableFuture.supplyAsync(SidecarVertx::create);
            var compiler = new ModuleCompiler();
            var registry = new BindingRegistry();
            loadAll(resources, compiler, registry, interpretFirst);
            LOG.debug("bindings loaded");
            var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            var metrics = new BindingMetrics(prometheus);
            WorkerPool pool = WorkerPool.forThisMachine();
            var invoker = new BindingInvoker(registry, pool, new GuestRunner(), metrics);
            var api =
                    new DaprHttpApi(registry, invoker, metrics, prometheus, appId)
                            .withServerLimits(serverLimits);
            // The event loop only parses and routes; guests run on the worker pool.
            Vertx vertx = vertxStarting.join();
            // The gRPC API listens first: /v1.0/healthz answers once the HTTP API listens, so its
            // first 204 means both APIs listen (in the other order, 1 start in 41 answered 204
            // before the gRPC port was bound: docs/bench/startup.md, "Round 7: the start path").
            DaprGrpcServer grpcServer = null;
            if (grpcPort >= 0) {
                grpcServer =
                        awaitListening(
                                DaprGrpcServer.builder(registry, invoker, metrics)
                                        .withHost(host)
                                        .withPort(grpcPort)
                                        .withAppId(appId)
                                        .start(vertx),
                                grpcPort,
                                vertx,
                                pool);
            }
            HttpServer server = awaitListening(api.listen(vertx, host, port), port, vertx, pool);
            LOG.debug("listening");
            compileAll(registry, compiler, COMPILE_THREAD);
            return new StandaloneSidecar(vertx, pool, registry, server, grpcServer);
        }

        /**
         * The server once it listens; if it cannot, Vert.x (with any server) and the pool close.
         */
        private <T> T awaitListening(Future<T> listening, int port, Vertx vertx, WorkerPool pool)
                throws IOException, InterruptedException {
            try {
                return listening
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                vertx.close();
                pool.close();
                throw new IOException(
                        "cannot listen on " + host + ":" + port + ": " + e.getCause(), e);
            }
        }
    }
}
