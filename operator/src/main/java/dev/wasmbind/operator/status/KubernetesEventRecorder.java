package dev.wasmbind.operator.status;

import dev.wasmbind.api.v1alpha1.WasmBinding;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events. A failure to record is logged, never fails a reconcile. */
public final class KubernetesEventRecorder implements EventRecorder {

    public static final String COMPONENT = "wasmbind-operator";
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final Clock clock;

    public KubernetesEventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public void record(WasmBinding binding, String type, String reason, String message) {
        String now = Conditions.rfc3339(clock.instant());
        String namespace = binding.getMetadata().getNamespace();
        Event event =
                new EventBuilder()
                        .withNewMetadata()
                        .withName(
                                binding.getMetadata().getName()
                                        + "."
                                        + UUID.randomUUID().toString().substring(0, 13))
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withApiVersion(binding.getApiVersion())
                        .withKind(binding.getKind())
                        .withName(binding.getMetadata().getName())
                        .withNamespace(namespace)
                        .withUid(binding.getMetadata().getUid())
                        .withResourceVersion(binding.getMetadata().getResourceVersion())
                        .endInvolvedObject()
                        .withType(type)
                        .withReason(reason)
                        .withMessage(
                                message.length() > MAX_MESSAGE
                                        ? message.substring(0, MAX_MESSAGE)
                                        : message)
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .withNewSource()
                        .withComponent(COMPONENT)
                        .endSource()
                        .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warn(
                    "could not record event {} for {}/{}: {}",
                    reason,
                    namespace,
                    binding.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
