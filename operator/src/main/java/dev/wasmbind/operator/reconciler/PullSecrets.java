package dev.wasmbind.operator.reconciler;

import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchException.Reason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Reads {@code spec.pullSecret}: a {@code kubernetes.io/dockerconfigjson} Secret for registries, or
 * {@code token} (bearer) / {@code username}+{@code password} (basic) for HTTP.
 */
public final class PullSecrets {

    public static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";

    private final KubernetesClient client;

    public PullSecrets(KubernetesClient client) {
        this.client = client;
    }

    public Credentials read(String namespace, String name) throws FetchException {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "cannot read pull secret " + name + ": " + e.getMessage(), e);
        }
        if (secret == null) {
            throw new FetchException(
                    Reason.AUTH_FAILED,
                    "spec.pullSecret " + name + " does not exist in namespace " + namespace);
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> plain =
                secret.getStringData() == null ? Map.of() : secret.getStringData();
        if (has(data, plain, DOCKER_CONFIG_KEY)) {
            return Credentials.dockerConfig(value(data, plain, DOCKER_CONFIG_KEY));
        }
        if (has(data, plain, "token")) {
            return Credentials.bearer(value(data, plain, "token").strip());
        }
        if (has(data, plain, "username")) {
            return Credentials.basic(
                    value(data, plain, "username"),
                    has(data, plain, "password") ? value(data, plain, "password") : "");
        }
        throw new FetchException(
                Reason.AUTH_FAILED,
                "spec.pullSecret "
                        + name
                        + " has none of the keys "
                        + DOCKER_CONFIG_KEY
                        + ", token, username/password");
    }

    private static boolean has(Map<String, String> data, Map<String, String> plain, String key) {
        return data.containsKey(key) || plain.containsKey(key);
    }

    private static String value(Map<String, String> data, Map<String, String> plain, String key)
            throws FetchException {
        if (plain.containsKey(key)) {
            return plain.get(key);
        }
        try {
            return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    Reason.AUTH_FAILED, "pull secret key " + key + " is not valid base64");
        }
    }
}
