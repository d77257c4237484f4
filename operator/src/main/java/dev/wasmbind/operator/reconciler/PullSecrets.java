package dev.wasmbind.operator.reconciler;

import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchException.Reason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads {@code spec.pullSecret}, accepting only Secrets made to be pull credentials, so that a
 * WasmBinding cannot make the operator send some other Secret of its namespace (a ServiceAccount
 * token, a TLS key) to a host of its choosing:
 *
 * <ul>
 *   <li>{@code kubernetes.io/dockerconfigjson}: each entry goes only to the registry it is keyed
 *       by;
 *   <li>{@code kubernetes.io/basic-auth} ({@code username}/{@code password}) and {@code Opaque}
 *       ({@code token}, or {@code username}/{@code password}): only when the Secret itself names
 *       the hosts they may go to in the annotation {@value #ALLOWED_HOSTS_ANNOTATION}.
 * </ul>
 *
 * Everything else is refused with a message that says so.
 */
public final class PullSecrets {

    public static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";
    public static final String DOCKER_CONFIG_TYPE = "kubernetes.io/dockerconfigjson";
    public static final String BASIC_AUTH_TYPE = "kubernetes.io/basic-auth";
    public static final String OPAQUE_TYPE = "Opaque";

    /** Comma-separated {@code host} (any port) or {@code host:port} the secret may be sent to. */
    public static final String ALLOWED_HOSTS_ANNOTATION = "wasmbind.dev/allowed-hosts";

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
        return credentials(name, secret);
    }

    /** The credentials {@code secret} may give, or why it gives none. */
    static Credentials credentials(String name, Secret secret) throws FetchException {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> plain =
                secret.getStringData() == null ? Map.of() : secret.getStringData();
        String type = secret.getType() == null ? OPAQUE_TYPE : secret.getType();
        switch (type) {
            case DOCKER_CONFIG_TYPE -> {
                if (!has(data, plain, DOCKER_CONFIG_KEY)) {
                    throw refused(name, "is of type " + type + " but has no " + DOCKER_CONFIG_KEY);
                }
                return Credentials.dockerConfig(value(data, plain, DOCKER_CONFIG_KEY));
            }
            case BASIC_AUTH_TYPE, OPAQUE_TYPE -> {
                Credentials credentials;
                if (type.equals(OPAQUE_TYPE) && has(data, plain, "token")) {
                    credentials = Credentials.bearer(value(data, plain, "token").strip());
                } else if (has(data, plain, "username")) {
                    credentials =
                            Credentials.basic(
                                    value(data, plain, "username"),
                                    has(data, plain, "password")
                                            ? value(data, plain, "password")
                                            : "");
                } else {
                    throw refused(
                            name,
                            "has none of the keys "
                                    + (type.equals(OPAQUE_TYPE) ? "token, " : "")
                                    + "username/password");
                }
                Set<String> hosts = allowedHosts(secret);
                if (hosts.isEmpty()) {
                    throw refused(
                            name,
                            "does not say where it may be sent: annotate it with "
                                    + ALLOWED_HOSTS_ANNOTATION
                                    + "=<host>[,<host:port>...]");
                }
                return credentials.forHosts(hosts);
            }
            default ->
                    throw refused(
                            name,
                            "is of type "
                                    + type
                                    + "; only "
                                    + DOCKER_CONFIG_TYPE
                                    + ", or "
                                    + BASIC_AUTH_TYPE
                                    + " and "
                                    + OPAQUE_TYPE
                                    + " secrets annotated with "
                                    + ALLOWED_HOSTS_ANNOTATION
                                    + ", are used as pull secrets");
        }
    }

    private static Set<String> allowedHosts(Secret secret) {
        Map<String, String> annotations =
                secret.getMetadata() == null || secret.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : secret.getMetadata().getAnnotations();
        String value = annotations.getOrDefault(ALLOWED_HOSTS_ANNOTATION, "");
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .filter(h -> !h.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static FetchException refused(String name, String why) {
        return new FetchException(Reason.REFUSED, "spec.pullSecret " + name + " " + why);
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
