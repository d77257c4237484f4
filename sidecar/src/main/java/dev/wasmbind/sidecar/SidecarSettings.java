package dev.wasmbind.sidecar;

import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import java.nio.file.Path;
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
 * @param grpcPort in-pod: port of Dapr's gRPC API; null when not served
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
        Integer grpcPort) {

    public SidecarSettings {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("--http-port must be 0-65535, not " + httpPort);
        }
    }

    /** Dapr's HTTP port, on this machine only, app id "wasmbind", info text logs. */
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
                null);
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
                grpcPort);
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
                grpcPort);
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
                grpcPort);
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
                grpcPort);
    }

    /** The in-pod flags the injector passes. */
    public SidecarSettings withInPod(
            Path modulesDir,
            String bindings,
            String moduleService,
            Path tokenFile,
            Integer grpcPort) {
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
                grpcPort);
    }
}
