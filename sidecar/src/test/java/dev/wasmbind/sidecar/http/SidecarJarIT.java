package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar started with {@code java -jar}, as the image and {@code run-standalone.sh} start
 * it: its manifest opens {@code java.nio} to it, so Netty makes its own pooled direct buffers
 * without an {@code --add-opens} flag (which would slow a start with a class-data archive).
 */
class SidecarJarIT {

    private static final Path JAR = Path.of("target", "wasmbind-sidecar.jar");

    @TempDir Path dir;
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor();
        }
    }

    @Test
    void shouldLetNettyMakeItsOwnDirectBuffersWithoutAnAddOpensFlag() throws Exception {
        assertThat(JAR).as("run mvn package first").exists();
        Path resources = Files.createDirectory(dir.resolve("resources"));
        Path log = dir.resolve("sidecar.log");
        process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dio.netty.tryReflectionSetAccessible=true",
                                "-jar",
                                JAR.toString(),
                                "--resources",
                                resources.toString(),
                                "--http-port",
                                String.valueOf(freePort()),
                                "--grpc-port",
                                "-1",
                                "--log-level",
                                "debug")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();

        await().atMost(Duration.ofSeconds(60))
                .failFast("the sidecar exited", () -> !process.isAlive())
                .until(() -> Files.readString(log).contains("listening"));

        assertThat(Files.readString(log))
                .contains("pooled direct buffers: Netty's own")
                .doesNotContain("come from the JDK");
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
