package dev.wasmbind.injector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.injector.testing.WebhookConfigurations;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class SelfManagedCertificatesTest {

    static KubernetesClient client;

    @BeforeEach
    void webhookConfiguration() {
        client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("wasmbind-injector")
                .delete();
        client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls").delete();
        client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls-ca").delete();
        WebhookConfigurations.createWithoutCaBundle(client);
    }

    private static SelfManagedCertificates.Builder certificates() {
        return SelfManagedCertificates.builder()
                .client(client)
                .namespace("wasmbind")
                .secretName("wasmbind-injector-tls")
                .serviceName("wasmbind-injector")
                .webhookConfigurationName("wasmbind-injector");
    }

    @Test
    void shouldCreateSecretAndPublishCaBundle() throws Exception {
        SelfManagedCertificates certs = certificates().build();

        PemPair pair = certs.load();

        X509Certificate leaf = pair.validate();
        assertThat(leaf.getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1))
                .containsExactlyInAnyOrder(
                        "wasmbind-injector",
                        "wasmbind-injector.wasmbind",
                        "wasmbind-injector.wasmbind.svc",
                        "wasmbind-injector.wasmbind.svc.cluster.local");
        Secret secret = secret();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
        assertThat(caSecret().getData()).containsOnlyKeys("ca.crt", "ca.key");
        assertThat(decoded(caSecret(), "ca.crt")).isEqualTo(decoded(secret, "ca.crt"));
        assertThat(decoded(secret, "tls.crt")).isEqualTo(pair.certificateChain());
        String caPem = decoded(secret, "ca.crt");
        leaf.verify(PemPair.certificates(caPem).get(0).getPublicKey());
        assertThat(caBundles()).containsExactly(base64(caPem));
        assertThat(certs.caBundleProblem()).isEmpty();
    }

    @Test
    void shouldReuseTheStoredPairOnRestartAndInOtherReplicas() throws Exception {
        PemPair first = certificates().build().load();
        String resourceVersion = secret().getMetadata().getResourceVersion();

        PemPair second = certificates().build().load();

        assertThat(second).isEqualTo(first);
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void shouldKeepThePreviousCaInTheBundleUntilItExpires() throws Exception {
        certificates().build().load();
        String oldCa = decoded(secret(), "ca.crt");

        // The CA has less than renewBefore left: a new CA, and the old one stays trusted.
        PemPair renewed = certificates().renewBefore(Duration.ofDays(4000)).build().load();

        String newCa = decoded(secret(), "ca.crt");
        assertThat(newCa).isNotEqualTo(oldCa);
        renewed.validate().verify(PemPair.certificates(newCa).get(0).getPublicKey());
        assertThat(caBundles()).containsExactly(base64(newCa + oldCa));
        assertThat(decoded(caSecret(), "previous-ca.crt")).isEqualTo(oldCa);

        // Another replica, or a restart, keeps both while the old CA has not expired.
        PemPair again = certificates().build().load();
        assertThat(again).isEqualTo(renewed);
        assertThat(caBundles()).containsExactly(base64(newCa + oldCa));
    }

    @Test
    void shouldMoveTheCaKeyOutOfAServingSecretWrittenByAnOlderVersion() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("old-ca", Duration.ofDays(3650));
        PemPair pair = ca.issue(certificates().build().dnsNames(), Duration.ofDays(365));
        client.secrets()
                .inNamespace("wasmbind")
                .resource(
                        new io.fabric8.kubernetes.api.model.SecretBuilder()
                                .withNewMetadata()
                                .withName("wasmbind-injector-tls")
                                .withNamespace("wasmbind")
                                .endMetadata()
                                .withType("kubernetes.io/tls")
                                .addToData("ca.crt", base64(ca.certificatePem()))
                                .addToData("ca.key", base64(ca.keyPem()))
                                .addToData("tls.crt", base64(pair.certificateChain()))
                                .addToData("tls.key", base64(pair.privateKey()))
                                .build())
                .create();

        certificates().build().load();

        assertThat(secret().getData()).doesNotContainKey("ca.key");
        assertThat(decoded(caSecret(), "ca.key")).isEqualTo(ca.keyPem());
        assertThat(caBundles()).containsExactly(base64(ca.certificatePem()));
    }

    @Test
    void shouldPutBackACaBundleThatWasReset() throws Exception {
        SelfManagedCertificates certs = certificates().build();
        certs.load();
        String caPem = decoded(secret(), "ca.crt");
        client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("wasmbind-injector")
                .edit(
                        c -> {
                            c.getWebhooks().get(0).getClientConfig().setCaBundle(null);
                            return c;
                        });

        certs.load();

        assertThat(caBundles()).containsExactly(base64(caPem));
    }

    @Test
    void shouldRenewAServingCertificateCloseToExpiryWithTheSameCa() throws Exception {
        PemPair first = certificates().certificateValidity(Duration.ofDays(10)).build().load();
        String caPem = decoded(secret(), "ca.crt");

        PemPair renewed = certificates().renewBefore(Duration.ofDays(30)).build().load();

        assertThat(renewed).isNotEqualTo(first);
        assertThat(decoded(secret(), "ca.crt")).isEqualTo(caPem);
        assertThat(decoded(secret(), "tls.crt")).isEqualTo(renewed.certificateChain());
        assertThat(renewed.validate().getNotAfter()).isAfter(first.validate().getNotAfter());
    }

    @Test
    void shouldReissueWhenTheServiceNameChanges() throws Exception {
        certificates().build().load();

        PemPair renamed = certificates().serviceName("injector").build().load();

        assertThat(renamed.validate().getSubjectAlternativeNames())
                .extracting(san -> (Object) san.get(1))
                .contains("injector.wasmbind.svc");
    }

    @Test
    void shouldReplaceAGarbledSecret() throws Exception {
        certificates().build().load();
        client.secrets()
                .inNamespace("wasmbind")
                .withName("wasmbind-injector-tls")
                .edit(
                        s -> {
                            s.getData().put("ca.crt", base64("not a certificate"));
                            return s;
                        });

        PemPair pair = certificates().build().load();

        pair.validate()
                .verify(PemPair.certificates(decoded(secret(), "ca.crt")).get(0).getPublicKey());
        assertThat(caBundles()).containsExactly(base64(decoded(secret(), "ca.crt")));
    }

    @Test
    void shouldReportAMissingWebhookConfigurationButStillServe() throws Exception {
        client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName("wasmbind-injector")
                .delete();
        SelfManagedCertificates certs = certificates().build();

        PemPair pair = certs.load();

        assertThat(pair.validate()).isNotNull();
        assertThat(certs.caBundleProblem())
                .hasValueSatisfying(p -> assertThat(p).contains("wasmbind-injector", "not found"));
    }

    @Test
    void shouldFailClearlyWhenTheApiServerIsUnreachable() {
        try (KubernetesClient unreachable =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder()
                                        .withMasterUrl("https://127.0.0.1:1")
                                        .withRequestRetryBackoffLimit(0)
                                        .build())
                        .build()) {
            SelfManagedCertificates certs = certificates().client(unreachable).build();

            assertThatThrownBy(certs::load)
                    .isInstanceOf(InvalidKeyMaterialException.class)
                    .hasMessageStartingWith("Kubernetes API");
        }
    }

    private static Secret secret() {
        return client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls").get();
    }

    private static List<String> caBundles() {
        MutatingWebhookConfiguration config =
                client.admissionRegistration()
                        .v1()
                        .mutatingWebhookConfigurations()
                        .withName("wasmbind-injector")
                        .get();
        return config.getWebhooks().stream()
                .map(MutatingWebhook::getClientConfig)
                .map(c -> c.getCaBundle())
                .toList();
    }

    private static Secret caSecret() {
        return client.secrets().inNamespace("wasmbind").withName("wasmbind-injector-tls-ca").get();
    }

    private static String decoded(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
