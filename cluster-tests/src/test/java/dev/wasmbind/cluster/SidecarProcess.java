package dev.wasmbind.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The injected {@code wasmbind-sidecar} container run as a process: the shaded jar (the image's
 * entrypoint, {@code java -jar}) with exactly the container's args and env, only the mounted paths
 * (token, modules emptyDir) mapped to folders of this machine, and the gRPC port to a free one (the
 * injector fixes it at 50001, which another process on a shared machine may hold).
 */
final class SidecarProcess implements AutoCloseable {

    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private final int healthPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    private SidecarProcess(
            List<String> command, Map<String, String> env, Path log, int httpPort, int healthPort) {
        this.command = command;
        this.env = env;
        this.log = log;
        this.httpPort = httpPort;
        this.healthPort = healthPort;
    }

    /** The sidecar container of {@code pod} (patched by the injector), ready to start. */
    static SidecarProcess of(
            JsonNode pod, String podName, Path tokenFile, Path modulesDir, Path logDir)
            throws IOException {
        JsonNode container = sidecarContainer(pod);
        if (container.has("command")) {
            throw new IllegalStateException("the image's entrypoint is replaced: " + container);
        }
        String jar =
                System.getProperty(
                        "wasmbind.sidecarJar",
                        ClusterInABox.root()
                                .resolve("sidecar/target/wasmbind-sidecar.jar")
                                .toString());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The image's JAVA_TOOL_OPTIONS, minus the heap sizes: small and quick to start.
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar));
        int httpPort = -1;
        int healthPort = -1;
        JsonNode args = container.path("args");
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i).asText();
            command.add(arg);
            if (i + 1 >= args.size()) {
                continue;
            }
            String value = args.get(i + 1).asText();
            switch (arg) {
                case "--modules-dir" -> value = modulesDir.toString();
                case "--token-file" -> value = tokenFile.toString();
                case "--grpc-port" -> value = String.valueOf(ClusterInABox.freePort());
                case "--http-port" -> httpPort = Integer.parseInt(value);
                case "--health-port" -> healthPort = Integer.parseInt(value);
                default -> {
                    continue;
                }
            }
            command.add(value);
            i++;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            if (var.has("value")) {
                env.put(name, var.path("value").asText());
            } else {
                String field = var.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                env.put(
                        name,
                        switch (field) {
                            case "metadata.namespace" ->
                                    pod.path("metadata").path("namespace").asText();
                            case "metadata.name" -> podName;
                            default ->
                                    throw new IllegalStateException(
                                            "env " + name + " from an unknown field: " + var);
                        });
            }
        }
        Files.createDirectories(logDir);
        return new SidecarProcess(
                List.copyOf(command), env, logDir.resolve("sidecar"), httpPort, healthPort);
    }

    /** Where the injector put it: a container, or a native sidecar among the init containers. */
    static JsonNode sidecarContainer(JsonNode pod) {
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode container : pod.path("spec").path(list)) {
                if (container.path("name").asText().equals("wasmbind-sidecar")) {
                    return container;
                }
            }
        }
        throw new IllegalStateException("no wasmbind-sidecar container in " + pod);
    }

    List<String> command() {
        return command;
    }

    Map<String, String> env() {
        return env;
    }

    int httpPort() {
        return httpPort;
    }

    /** Starts the process and waits until {@code GET /v1.0/healthz} on the health port is 204. */
    SidecarProcess start(Duration timeout) throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(
                ProcessBuilder.Redirect.to(
                        log.resolveSibling("sidecar-" + (++starts) + ".log").toFile()));
        process = builder.start();
        Instant deadline = Instant.now().plus(timeout);
        while (!healthy()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the sidecar exited with " + process.exitValue() + ", see " + logFile());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the sidecar is not ready, see " + logFile());
            }
            Thread.sleep(100);
        }
        return this;
    }

    Path logFile() {
        return log.resolveSibling("sidecar-" + starts + ".log");
    }

    private boolean healthy() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + healthPort
                                                                    + "/v1.0/healthz"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 204;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Calls the binding as the app container does (loopback, the injected port). */
    HttpResponse<String> call(String binding, String body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:"
                                                + httpPort
                                                + "/v1.0/bindings/"
                                                + binding))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Dapr's metadata endpoint (the module service's sync state is a section of it). */
    JsonNode metadata() throws IOException, InterruptedException {
        return ClusterInABox.JSON.readTree(
                http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + httpPort
                                                                + "/v1.0/metadata"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
