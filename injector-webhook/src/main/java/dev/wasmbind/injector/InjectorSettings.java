package dev.wasmbind.injector;

import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.injector.patch.SidecarConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the injector is started with, defaults in {@link #defaults()} only (the injected
 * sidecar's own defaults are {@link SidecarConfig}'s).
 *
 * @param tlsCert file mode: PEM certificate chain; null in self-managed mode
 * @param tlsKey file mode: PEM private key; null in self-managed mode
 * @param tlsReloadInterval how often the pair is re-read; null for the mode's default
 * @param namespace self-managed mode: namespace of the Secret and Service
 * @param sidecar the injected sidecar; null until its image is given
 */
public record InjectorSettings(
        String host,
        int port,
        Path tlsCert,
        Path tlsKey,
        Duration tlsReloadInterval,
        boolean selfManagedTls,
        String tlsSecret,
        String serviceName,
        String namespace,
        String webhookConfiguration,
        SidecarConfig sidecar,
        LogLevel logLevel,
        LogFormat logFormat) {

    static final Duration FILE_RELOAD_INTERVAL = Duration.ofSeconds(10);
    static final Duration SELF_MANAGED_RELOAD_INTERVAL = Duration.ofMinutes(5);

    public InjectorSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFormat, "logFormat");
        if (tlsReloadInterval != null
                && (tlsReloadInterval.isNegative() || tlsReloadInterval.isZero())) {
            throw new IllegalArgumentException("--tls-reload-interval must be positive");
        }
    }

    /** HTTPS on 8443, every address; file TLS; no sidecar until its image is given. */
    public static InjectorSettings defaults() {
        return new InjectorSettings(
                "0.0.0.0",
                8443,
                null,
                null,
                null,
                false,
                "wasmbind-injector-tls",
                "wasmbind-injector",
                null,
                "wasmbind-injector",
                null,
                LogLevel.info,
                LogFormat.text);
    }

    /** The interval given, else 10s for files, 5m self-managed. */
    public Duration reloadInterval() {
        if (tlsReloadInterval != null) {
            return tlsReloadInterval;
        }
        return selfManagedTls ? SELF_MANAGED_RELOAD_INTERVAL : FILE_RELOAD_INTERVAL;
    }

    /** Refuses what cannot start: no sidecar image, no key material. */
    public InjectorSettings requireComplete() {
        if (sidecar == null) {
            throw new IllegalArgumentException(
                    "--sidecar-image (or WASMBIND_INJECTOR_SIDECAR_IMAGE) is required");
        }
        if (selfManagedTls) {
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException(
                        "--self-managed-tls needs --namespace (or POD_NAMESPACE)");
            }
        } else if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException(
                    "give --tls-cert and --tls-key, or --self-managed-tls");
        }
        return this;
    }

    public InjectorSettings withServer(String host, int port) {
        return new InjectorSettings(
                host,
                port,
                tlsCert,
                tlsKey,
                tlsReloadInterval,
                selfManagedTls,
                tlsSecret,
                serviceName,
                namespace,
                webhookConfiguration,
                sidecar,
                logLevel,
                logFormat);
    }

    /** File mode: the PEM pair and how often it is re-read (null: the default). */
    public InjectorSettings withTlsFiles(Path tlsCert, Path tlsKey, Duration tlsReloadInterval) {
        return new InjectorSettings(
                host,
                port,
                tlsCert,
                tlsKey,
                tlsReloadInterval,
                selfManagedTls,
                tlsSecret,
                serviceName,
                namespace,
                webhookConfiguration,
                sidecar,
                logLevel,
                logFormat);
    }

    public InjectorSettings withSelfManagedTls(
            boolean selfManagedTls,
            String tlsSecret,
            String serviceName,
            String namespace,
            String webhookConfiguration) {
        return new InjectorSettings(
                host,
                port,
                tlsCert,
                tlsKey,
                tlsReloadInterval,
                selfManagedTls,
                tlsSecret,
                serviceName,
                namespace,
                webhookConfiguration,
                sidecar,
                logLevel,
                logFormat);
    }

    public InjectorSettings withSidecar(SidecarConfig sidecar) {
        return new InjectorSettings(
                host,
                port,
                tlsCert,
                tlsKey,
                tlsReloadInterval,
                selfManagedTls,
                tlsSecret,
                serviceName,
                namespace,
                webhookConfiguration,
                sidecar,
                logLevel,
                logFormat);
    }

    public InjectorSettings withLogging(LogLevel logLevel, LogFormat logFormat) {
        return new InjectorSettings(
                host,
                port,
                tlsCert,
                tlsKey,
                tlsReloadInterval,
                selfManagedTls,
                tlsSecret,
                serviceName,
                namespace,
                webhookConfiguration,
                sidecar,
                logLevel,
                logFormat);
    }
}
