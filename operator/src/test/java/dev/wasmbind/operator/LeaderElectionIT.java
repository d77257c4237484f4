package dev.wasmbind.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.operator.guard.Cidr;
import dev.wasmbind.operator.guard.NetworkGuard;
import dev.wasmbind.operator.testing.ModuleServer;
import dev.wasmbind.operator.testing.TestModules;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With leader election on, the operator takes the Lease and then reconciles. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionIT {

    static KubernetesClient client;
    static KubernetesMockServer server;

    /**
     * JOSDK asks whether it may use Leases before electing; the CRUD mock cannot answer a
     * SelfSubjectRulesReview, so this test answers it as an API server would for the chart's RBAC.
     */
    private static void grantLeaseAccess() {
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("get", "create", "update")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
    }

    @Test
    void shouldTakeTheLeaseAndReconcile() throws Exception {
        grantLeaseAccess();
        try (ModuleServer modules = ModuleServer.start();
                WasmBindOperator operator =
                        WasmBindOperator.builder()
                                .withClient(client)
                                .withSettings(
                                        OperatorSettings.defaults()
                                                .withCacheDir(
                                                        Files.createTempDirectory("wasmbind-le"))
                                                .withGuard(
                                                        NetworkGuard.builder()
                                                                .allowCidrs(
                                                                        List.of(
                                                                                Cidr.parse(
                                                                                        "127.0.0.1/32")))
                                                                .build())
                                                .withServerSideApply(false))
                                .withLeaderElection(
                                        // exitOnStopLeading off: JOSDK would System.exit
                                        // the test JVM when close() gives the lease up.
                                        new LeaderElectionConfiguration(
                                                "wasmbind-operator",
                                                "wasmbind-system",
                                                LeaderElectionConfiguration
                                                        .LEASE_DURATION_DEFAULT_VALUE,
                                                LeaderElectionConfiguration
                                                        .RENEW_DEADLINE_DEFAULT_VALUE,
                                                LeaderElectionConfiguration
                                                        .RETRY_PERIOD_DEFAULT_VALUE,
                                                "replica-a",
                                                null,
                                                false))
                                .build()
                                .start()) {
            modules.serve("/le.wasm", TestModules.command("leader"));
            WasmBinding binding =
                    new WasmBinding("elected", new WasmBindingSpec(modules.url("/le.wasm")));
            binding.getMetadata().setNamespace("default");
            client.resource(binding).create();

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () -> {
                                Lease lease =
                                        client.leases()
                                                .inNamespace("wasmbind-system")
                                                .withName("wasmbind-operator")
                                                .get();
                                assertThat(lease).isNotNull();
                                assertThat(lease.getSpec().getHolderIdentity())
                                        .isEqualTo("replica-a");
                            });
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    client.resources(WasmBinding.class)
                                                            .inNamespace("default")
                                                            .withName("elected")
                                                            .get()
                                                            .getStatus())
                                            .isNotNull()
                                            .extracting(s -> s.getPhase())
                                            .isEqualTo(Phase.Ready));
        }
    }
}
