package dev.wasmbind.operator.health;

import static org.awaitility.Awaitility.await;

import dev.wasmbind.operator.OperatorSettings;
import dev.wasmbind.operator.WasmBindOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /healthz}'s answer follows the informers: an API server gone makes it unhealthy. */
@EnableKubernetesMockClient(crud = true)
class OperatorHealthIT {

    static KubernetesClient client;
    static KubernetesMockServer server;

    @Test
    void shouldTurnUnhealthyWhenItsInformersLoseTheApiServer() throws Exception {
        try (WasmBindOperator operator =
                WasmBindOperator.builder()
                        .withClient(client)
                        .withSettings(
                                OperatorSettings.defaults()
                                        .withCacheDir(Files.createTempDirectory("wasmbind-cache"))
                                        .withServerSideApply(false))
                        .build()) {
            operator.start();
            await().atMost(Duration.ofSeconds(60)).until(operator::isHealthy);

            server.destroy();

            await().atMost(Duration.ofSeconds(120)).until(() -> !operator.isHealthy());
        }
    }
}
