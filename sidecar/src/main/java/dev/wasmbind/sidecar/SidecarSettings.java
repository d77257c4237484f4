package dev.wasmbind.sidecar;

import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.sidecar.http.ServerLimits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the sidecar is started with, defaults in {@link #defaults()} only. Standalone mode
 * serves the WasmBinding YAML of {@code resources}; in-pod mode (the injector's flags: modules dir,
 * bindings, module service, token file, gRPC port) is carried here for its wiring.
 *
 * @param resources standalone mode's folder of WasmBinding YAML; null in-pod
 * @param modulesDir in-pod: where the modules are kept; null standalone
 * @param bindings in-pod: the bindings to serve (the injector's annotation value); may be null
 * @param moduleService in-pod: the operator's module service URL; may be null
 * @param tokenFile in-pod: the projected ServiceAccount token; may be null
 * @param grpcPort port of Dapr's gRPC API on the listen address; negative: not served
 * @param healthPort in-pod: port of health and metrics on all addresses, for kubelet and Prometheus
 * @param serverLimits timeouts and sizes of the HTTP servers ({@link ServerLimits#defaults()})
 */
public record SidecarSettings(
        Path resources,
        int httpPort,
        String listenAddress,
        String appId,
        LogLevel logLevel,
        LogFormat logFormat,
        Path modulesDir,
        String bindings,
        String moduleService,
        Path tokenFile,
        int grpcPort,
        int healthPort,
        ServerLimits serverLimits) {

    public SidecarSettings {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(serverLimits, "serverLimits");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("--http-port must be 0-65535, not " + httpPort);
        }
        if (grpcPort > 65535) {
            throw new IllegalArgumentException("--grpc-port must be 0-65535, not " + grpcPort);
        }
        if (healthPort < 0 || healthPort > 65535) {
            throw new IllegalArgumentException("--health-port must be 0-65535, not " + healthPort);
        }
    }

    /**
     * Dapr's HTTP and gRPC ports, on this machine only, app id "wasmbind", info text logs; in a
     * pod, health and metrics on 9464 (the port the injector declares).
     */
    public static SidecarSettings defaults() {
        return new SidecarSettings(
                null,
                3500,
                "127.0.0.1",
                "wasmbind",
                LogLevel.info,
                LogFormat.text,
                null,
                null,
                null,
                null,
                50001,
                9464,
                ServerLimits.defaults());
    }

    public SidecarSettings withServerLimits(ServerLimits serverLimits) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    /** In-pod mode: the bindings asked for; empty for every binding of the namespace. */
    public List<String> bindingNames() {
        if (bindings == null || bindings.isBlank()) {
            return List.of();
        }
        return Arrays.stream(bindings.split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
    }

    /** Standalone mode: the folder of WasmBinding YAML, when given. */
    public Optional<Path> standaloneResources() {
        return Optional.ofNullable(resources);
    }

    public SidecarSettings withResources(Path resources) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    public SidecarSettings withHttp(String listenAddress, int httpPort) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    public SidecarSettings withAppId(String appId) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    public SidecarSettings withLogging(LogLevel logLevel, LogFormat logFormat) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    public SidecarSettings withGrpcPort(int grpcPort) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }

    /** The in-pod flags the injector passes. */
    public SidecarSettings withInPod(
            Path modulesDir,
            String bindings,
            String moduleService,
            Path tokenFile,
            int healthPort) {
        return new SidecarSettings(
                resources,
                httpPort,
                listenAddress,
                appId,
                logLevel,
                logFormat,
                modulesDir,
                bindings,
                moduleService,
                tokenFile,
                grpcPort,
                healthPort,
                serverLimits);
    }
}
