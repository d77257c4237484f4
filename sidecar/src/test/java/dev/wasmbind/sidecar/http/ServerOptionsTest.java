package dev.wasmbind.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {

    @Test
    void shouldListenOnTheAddressWithoutWebSocketCompression() {
        HttpServerOptions options = ServerOptions.at("127.0.0.1", 3500);

        assertThat(options.getHost()).isEqualTo("127.0.0.1");
        assertThat(options.getPort()).isEqualTo(3500);
        assertThat(options.getPerMessageWebSocketCompressionSupported()).isFalse();
        assertThat(options.getPerFrameWebSocketCompressionSupported()).isFalse();
    }
}
