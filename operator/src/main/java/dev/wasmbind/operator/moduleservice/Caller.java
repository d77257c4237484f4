package dev.wasmbind.operator.moduleservice;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is asking: a ServiceAccount, and the pod its token is bound to when the API server says so
 * (projected tokens carry the pod's name in the review's extra fields).
 *
 * @param namespace the ServiceAccount's namespace: the only one the caller may read
 * @param serviceAccount the ServiceAccount's name
 * @param pod the pod the token is bound to, empty for a token not bound to a pod
 */
public record Caller(String namespace, String serviceAccount, Optional<String> pod) {

    static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
    static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";

    /**
     * The caller named by a TokenReview's user, or empty when the user is not a ServiceAccount
     * ({@code system:serviceaccount:<namespace>:<name>}).
     */
    public static Optional<Caller> fromUser(String username, Map<String, List<String>> extra) {
        if (username == null || !username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = username.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Optional.empty();
        }
        List<String> pods = extra == null ? null : extra.get(POD_NAME_EXTRA);
        Optional<String> pod =
                pods == null || pods.isEmpty() ? Optional.empty() : Optional.of(pods.get(0));
        return Optional.of(new Caller(parts[0], parts[1], pod));
    }

    /**
     * The rate limiter's key: per pod when the token is bound to one (replicas of a Deployment
     * share a ServiceAccount and must not starve each other), else per ServiceAccount.
     */
    public String rateLimitKey() {
        return namespace + "/" + serviceAccount + pod.map(p -> "/" + p).orElse("");
    }
}
