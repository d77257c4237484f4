package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar listens on both APIs; when it cannot, it names the port and stops cleanly. */
class StandaloneSidecarListenIT {

    @TempDir Path resources;

    @Test
    void shouldListenOnBothApisOnceStarted() throws Exception {
        try (var sidecar =
                StandaloneSidecar.builder(resources).withPort(0).withGrpcPort(0).start()) {
            assertThat(accepts(sidecar.port())).isTrue();
            assertThat(accepts(sidecar.grpcPort())).isTrue();
        }
    }

    @Test
    void shouldNameTheTakenGrpcPort() throws Exception {
        try (var taken = takenPort()) {
            assertThatThrownBy(
                            () ->
                                    StandaloneSidecar.builder(resources)
                                            .withPort(0)
                                            .withGrpcPort(taken.getLocalPort())
                                            .start())
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    /** The gRPC API listens first, so a taken HTTP port must also give the gRPC port back. */
    @Test
    void shouldNameTheTakenHttpPortAndFreeTheGrpcPort() throws Exception {
        int grpcPort = freePort();
        try (var taken = takenPort()) {
            assertThatThrownBy(
                            () ->
                                    StandaloneSidecar.builder(resources)
                                            .withPort(taken.getLocalPort())
                                            .withGrpcPort(grpcPort)
                                            .start())
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> canListenOn(grpcPort));
    }

    private static ServerSocket takenPort() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private static int freePort() throws IOException {
        try (var socket = takenPort()) {
            return socket.getLocalPort();
        }
    }

    private static boolean canListenOn(int port) {
        try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
