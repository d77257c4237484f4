package dev.wasmbind.injector.testing;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The MutatingWebhookConfiguration the chart renders, as the self-managed TLS tests need it. */
public final class WebhookConfigurations {

    public static final String NAME = "wasmbind-injector";
    public static final String NAMESPACE = "wasmbind";

    private WebhookConfigurations() {}

    /** Creates (or replaces) the configuration {@value #NAME} without a caBundle. */
    public static void createWithoutCaBundle(KubernetesClient client) {
        client.admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .resource(
                        new MutatingWebhookConfigurationBuilder()
                                .withNewMetadata()
                                .withName(NAME)
                                .endMetadata()
                                .addNewWebhook()
                                .withName("inject.wasmbind.dev")
                                .withNewClientConfig()
                                .withNewService()
                                .withName(NAME)
                                .withNamespace(NAMESPACE)
                                .withPath("/mutate")
                                .endService()
                                .endClientConfig()
                                .withAdmissionReviewVersions("v1")
                                .withSideEffects("None")
                                .endWebhook()
                                .build())
                .createOr(existing -> existing.update());
    }
}
