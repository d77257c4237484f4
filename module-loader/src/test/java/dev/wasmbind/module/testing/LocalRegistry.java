package dev.wasmbind.module.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Debian's {@code docker-registry} (the CNCF distribution registry) on 127.0.0.1 with its storage
 * in a temp folder, optionally behind htpasswd basic auth. Installed by scripts/setup.sh.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;
    private final Path dir;

    private LocalRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static boolean isInstalled() {
        return Files.isExecutable(BINARY);
    }

    /** A registry anyone may push to and pull from. */
    public static LocalRegistry start() throws IOException, InterruptedException {
        return start(Optional.empty(), Optional.empty());
    }

    /** A registry that wants basic auth as {@code username}/{@code password}. */
    public static LocalRegistry startWithAuth(String username, String password)
            throws IOException, InterruptedException {
        return start(Optional.of(username), Optional.of(password));
    }

    private static LocalRegistry start(Optional<String> username, Optional<String> password)
            throws IOException, InterruptedException {
        if (!isInstalled()) {
            throw new IllegalStateException(
                    BINARY + " is missing: run scripts/setup.sh (apt-get install docker-registry)");
        }
        Path dir = Files.createTempDirectory("wasmbind-registry");
        int port = freePort();
        int debugPort = freePort();
        StringBuilder config = new StringBuilder();
        config.append("version: 0.1\n")
                .append("log:\n  level: warn\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ")
                .append(dir.resolve("data"))
                .append("\n  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:")
                .append(port)
                .append("\n  debug:\n    addr: 127.0.0.1:")
                .append(debugPort)
                .append("\n");
        if (username.isPresent()) {
            Path htpasswd = dir.resolve("htpasswd");
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            String hash = OpenBSDBCrypt.generate("2a", password.get().toCharArray(), salt, 6);
            Files.writeString(htpasswd, username.get() + ":" + hash + "\n");
            config.append("auth:\n  htpasswd:\n    realm: wasmbind-test\n    path: ")
                    .append(htpasswd)
                    .append("\n");
        }
        Path configFile = Files.writeString(dir.resolve("config.yml"), config.toString());
        Process process =
                new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("registry.log").toFile())
                        .start();
        LocalRegistry registry = new LocalRegistry(process, port, dir);
        try {
            registry.awaitUp(username.isPresent());
        } catch (IOException | RuntimeException | InterruptedException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** {@code 127.0.0.1:<port>}, the registry part of an OCI reference. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void awaitUp(boolean auth) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping =
                HttpRequest.newBuilder(URI.create("http://" + hostPort() + "/v2/"))
                        .timeout(Duration.ofSeconds(2))
                        .build();
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "docker-registry exited: "
                                + Files.readString(
                                        dir.resolve("registry.log"), StandardCharsets.UTF_8));
            }
            try {
                int status = http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == (auth ? 401 : 200)) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not answer on " + hostPort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
