package dev.wasmbind.sidecar.inpod;

import dev.wasmbind.sidecar.binding.BindingInvoker;
import dev.wasmbind.sidecar.binding.BindingMetrics;
import dev.wasmbind.sidecar.binding.BindingRegistry;
import dev.wasmbind.sidecar.grpc.DaprGrpcServer;
import dev.wasmbind.sidecar.http.DaprHttpApi;
import dev.wasmbind.sidecar.http.ServerLimits;
import dev.wasmbind.sidecar.http.ServerOptions;
import dev.wasmbind.sidecar.http.SidecarVertx;
import dev.wasmbind.sidecar.runtime.GuestRunner;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.WorkerPool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar injected into a pod: serves the bindings the module service gives its namespace (kept
 * in step by {@link BindingSync}, cached in the pod's {@link ModulesDir}). Dapr's HTTP API listens
 * on loopback only, like daprd; health and metrics also listen on a second port on every address,
 * for the kubelet's probes and Prometheus.
 */
public final class InPodSidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InPodSidecar.class);

    /** The environment variable the injector puts the module service's CA (PEM) in. */
    public static final String CA_ENV = "WASMBIND_MODULE_SERVICE_CA";

    /** The environment variable (downward API) holding the pod's namespace. */
    public static final String NAMESPACE_ENV = "POD_NAMESPACE";

    public static final int DEFAULT_HEALTH_PORT = 9464;

    private final Vertx vertx;
    private final WorkerPool pool;
    private final ExecutorService compileThread;
    private final BindingRegistry registry;
    private final BindingSync sync;
    private final HttpServer api;
    private final HttpServer health;
    private final DaprGrpcServer grpc;

    private InPodSidecar(
            Vertx vertx,
            WorkerPool pool,
            ExecutorService compileThread,
            BindingRegistry registry,
            BindingSync sync,
            HttpServer api,
            HttpServer health,
            DaprGrpcServer grpc) {
        this.vertx = vertx;
        this.pool = pool;
        this.compileThread = compileThread;
        this.registry = registry;
        this.sync = sync;
        this.api = api;
        this.health = health;
        this.grpc = grpc;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port of Dapr's HTTP API (loopback). */
    public int port() {
        return api.actualPort();
    }

    /** The port of health and metrics (all addresses by default). */
    public int healthPort() {
        return health.actualPort();
    }

    /** The port of Dapr's gRPC API (loopback), -1 when it is not served. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public BindingRegistry registry() {
        return registry;
    }

    /** True once every requested binding is loaded or failed for good. */
    public boolean isReady() {
        return sync.isReady();
    }

    public BindingSync.Status syncStatus() {
        return sync.status();
    }

    @Override
    public void close() {
        sync.close();
        try {
            if (grpc != null) {
                grpc.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
            health.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            api.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("shutdown was not clean: {}", e.toString());
        } finally {
            compileThread.shutdownNow();
            pool.close();
        }
    }

    public static final class Builder {
        private URI moduleService;
        private String caPem;
        private Path tokenFile;
        private String namespace;
        private List<String> bindings = List.of();
        private Path modulesDir;
        private String host = "127.0.0.1";
        private int port = 3500;
        private String healthHost = "0.0.0.0";
        private int healthPort = DEFAULT_HEALTH_PORT;
        private int grpcPort = -1;
        private String appId = "wasmbind";
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration longPollWait = Duration.ofSeconds(30);
        private ServerLimits serverLimits = ServerLimits.defaults();

        private Builder() {}

        /** {@code https://<operator-service>:9443}. Required. */
        public Builder withModuleService(URI moduleService) {
            this.moduleService = moduleService;
            return this;
        }

        /** The CA (PEM) that signed the module service's certificate: the only one trusted. */
        public Builder withCaPem(String caPem) {
            this.caPem = caPem;
            return this;
        }

        /** As {@link #withCaPem}, read from a file. */
        public Builder withCaFile(Path caFile) throws IOException {
            this.caPem = Files.readString(caFile);
            return this;
        }

        /** The projected ServiceAccount token (audience wasmbind), re-read on every request. */
        public Builder withTokenFile(Path tokenFile) {
            this.tokenFile = tokenFile;
            return this;
        }

        /** The pod's namespace (from {@value #NAMESPACE_ENV}). Required. */
        public Builder withNamespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** The bindings to serve; every binding of the namespace when empty (the default). */
        public Builder withBindings(List<String> bindings) {
            this.bindings = List.copyOf(bindings);
            return this;
        }

        /** The pod's emptyDir of modules. Required. */
        public Builder withModulesDir(Path modulesDir) {
            this.modulesDir = modulesDir;
            return this;
        }

        /** Address of Dapr's HTTP API (default 127.0.0.1, like daprd). */
        public Builder withHost(String host) {
            this.host = host;
            return this;
        }

        /** Port of Dapr's HTTP API (default 3500; 0 picks a free one). */
        public Builder withPort(int port) {
            this.port = port;
            return this;
        }

        /** Address of the health and metrics port (default 0.0.0.0, for the kubelet). */
        /**
         * The port of Dapr's gRPC API on the API host ({@link DaprGrpcServer#DEFAULT_PORT} in
         * daprd); 0 picks a free one, a negative port serves no gRPC (the default).
         */
        public Builder withGrpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder withHealthHost(String healthHost) {
            this.healthHost = healthHost;
            return this;
        }

        /** Port of health and metrics (default 9464; 0 picks a free one). */
        public Builder withHealthPort(int healthPort) {
            this.healthPort = healthPort;
            return this;
        }

        public Builder withAppId(String appId) {
            this.appId = appId;
            return this;
        }

        /**
         * Timeouts and sizes of the API and health servers ({@link ServerLimits#defaults()} by
         * default).
         */
        public Builder withServerLimits(ServerLimits serverLimits) {
            this.serverLimits = Objects.requireNonNull(serverLimits, "serverLimits");
            return this;
        }

        /** Retry delays after a failed sync (default 1s doubling to 30s, with jitter). */
        public Builder withBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** How long the module service may hold a long-poll (default 30s; at most 60s). */
        public Builder withLongPollWait(Duration longPollWait) {
            this.longPollWait = longPollWait;
            return this;
        }

        /**
         * Restores the modules dir, starts both servers and the sync; returns once they listen.
         * Readiness ({@code /v1.0/healthz}) follows the sync.
         *
         * @throws IllegalArgumentException for a missing or invalid setting (the CA, the URL, …)
         */
        public InPodSidecar start() throws IOException {
            Objects.requireNonNull(moduleService, "the module service URL is missing");
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException(
                        "the pod's namespace is missing (set " + NAMESPACE_ENV + ")");
            }
            Objects.requireNonNull(modulesDir, "the modules dir is missing");
            if (longPollWait.isNegative() || longPollWait.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("the long-poll wait must be 0 to 60s");
            }
            var client =
                    ModuleServiceClient.builder(moduleService)
                            .withCaPem(caPem)
                            .withTokenFile(tokenFile)
                            .build();
            var registry = new BindingRegistry();
            var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ExecutorService compileThread =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "wasm-compiler");
                                t.setDaemon(true);
                                return t;
                            });
            var sync =
                    BindingSync.builder()
                            .withClient(client)
                            .withNamespace(namespace)
                            .withNames(bindings)
                            .withModulesDir(ModulesDir.open(modulesDir))
                            .withCompiler(new ModuleCompiler(), compileThread)
                            .withRegistry(registry)
                            .withMeters(prometheus)
                            .withBackoff(initialBackoff, maxBackoff)
                            .withLongPollWait(longPollWait)
                            .build();
            sync.restore();
            var metrics = new BindingMetrics(prometheus);
            WorkerPool pool = WorkerPool.forThisMachine();
            var invoker = new BindingInvoker(registry, pool, new GuestRunner(), metrics);
            var routes =
                    new DaprHttpApi(registry, invoker, metrics, prometheus, appId)
                            .withReadiness(sync::isReady)
                            .withMetadataSection("moduleService", sync::metadata)
                            .withServerLimits(serverLimits);
            Vertx vertx = SidecarVertx.create();
            try {
                HttpServer api = await(routes.listen(vertx, host, port), host, port);
                HttpServer health =
                        await(
                                vertx.createHttpServer(
                                                serverLimits.applyTo(
                                                        ServerOptions.at(healthHost, healthPort)))
                                        .requestHandler(routes.healthRouter(vertx))
                                        .listen(),
                                healthHost,
                                healthPort);
                DaprGrpcServer grpc =
                        grpcPort < 0
                                ? null
                                : await(
                                        DaprGrpcServer.builder(registry, invoker, metrics)
                                                .withHost(host)
                                                .withPort(grpcPort)
                                                .withAppId(appId)
                                                .start(vertx),
                                        host,
                                        grpcPort);
                sync.start();
                LOG.info(
                        "in-pod sidecar: Dapr API on {}:{}, health and metrics on {}:{}, bindings"
                                + " of namespace {} from {}",
                        host,
                        api.actualPort(),
                        healthHost,
                        health.actualPort(),
                        namespace,
                        moduleService);
                return new InPodSidecar(
                        vertx, pool, compileThread, registry, sync, api, health, grpc);
            } catch (IOException | RuntimeException e) {
                vertx.close();
                pool.close();
                compileThread.shutdownNow();
                throw e;
            }
        }

        private static <T> T await(io.vertx.core.Future<T> listening, String host, int port)
                throws IOException {
            try {
                return listening
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting to listen", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException(
                        "cannot listen on " + host + ":" + port + ": " + e.getCause(), e);
            }
        }
    }
}
