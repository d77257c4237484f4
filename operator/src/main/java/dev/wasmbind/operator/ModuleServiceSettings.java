package dev.wasmbind.operator;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The module service's part of {@link OperatorSettings}: where it listens and its certificate.
 *
 * @param port HTTPS port; 0 picks a free one (tests)
 * @param host address it listens on
 * @param certificate PEM certificate chain, reread when it changes
 * @param key PEM private key of the certificate
 */
public record ModuleServiceSettings(int port, String host, Path certificate, Path key) {

    public static final int DEFAULT_PORT = 9443;

    public ModuleServiceSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(certificate, "the module service needs --module-service-cert");
        Objects.requireNonNull(key, "the module service needs --module-service-key");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    "--module-service-port must be 0-65535, not " + port);
        }
    }

    /** On every address, the default port, with this certificate. */
    public static ModuleServiceSettings of(Path certificate, Path key) {
        return new ModuleServiceSettings(DEFAULT_PORT, "0.0.0.0", certificate, key);
    }

    public ModuleServiceSettings withPort(int port) {
        return new ModuleServiceSettings(port, host, certificate, key);
    }

    public ModuleServiceSettings withHost(String host) {
        return new ModuleServiceSettings(port, host, certificate, key);
    }
}
