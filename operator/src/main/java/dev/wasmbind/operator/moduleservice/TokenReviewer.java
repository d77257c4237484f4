package dev.wasmbind.operator.moduleservice;

import java.util.List;
import java.util.Map;

/** Asks whoever can tell (the API server's TokenReview) who a bearer token belongs to. */
@FunctionalInterface
public interface TokenReviewer {

    /** The audience the sidecars' projected tokens are issued for. */
    String AUDIENCE = "wasmbind";

    /**
     * Reviews {@code token}.
     *
     * @throws TokenReviewException when the reviewer cannot answer (API server unreachable)
     */
    Review review(String token) throws TokenReviewException;

    /**
     * The answer.
     *
     * @param authenticated whether the token is valid for the {@link #AUDIENCE}
     * @param username the user, e.g. {@code system:serviceaccount:shop:default}
     * @param extra the user's extra fields (pod name for a pod-bound token)
     * @param error why the token was refused, when it was
     */
    record Review(
            boolean authenticated, String username, Map<String, List<String>> extra, String error) {

        public static Review authenticated(String username, Map<String, List<String>> extra) {
            return new Review(true, username, extra == null ? Map.of() : Map.copyOf(extra), null);
        }

        public static Review refused(String error) {
            return new Review(false, null, Map.of(), error);
        }
    }
}
