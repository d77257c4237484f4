package dev.wasmbind.operator.moduleservice;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Reviews tokens with the API server ({@code authentication.k8s.io/v1} TokenReview, audience
 * {@value TokenReviewer#AUDIENCE}). Needs RBAC {@code create} on {@code tokenreviews}.
 */
public final class KubernetesTokenReviewer implements TokenReviewer {

    private final KubernetesClient client;

    public KubernetesTokenReviewer(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Review review(String token) throws TokenReviewException {
        TokenReview request =
                new TokenReviewBuilder()
                        .withNewSpec()
                        .withToken(token)
                        .withAudiences(AUDIENCE)
                        .endSpec()
                        .build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(request);
        } catch (KubernetesClientException e) {
            throw new TokenReviewException("TokenReview failed: " + e.getMessage(), e);
        }
        TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null) {
            throw new TokenReviewException("TokenReview answered without a status", null);
        }
        if (!Boolean.TRUE.equals(status.getAuthenticated())) {
            return Review.refused(
                    status.getError() == null ? "the token is not valid" : status.getError());
        }
        // With spec.audiences set, the API server answers the audiences the token is valid for;
        // an authenticator that ignores audiences answers none: refuse rather than guess.
        List<String> audiences = status.getAudiences();
        if (audiences == null || !audiences.contains(AUDIENCE)) {
            return Review.refused("the token is not issued for the audience " + AUDIENCE);
        }
        UserInfo user = status.getUser();
        return user == null
                ? Review.refused("the TokenReview names no user")
                : Review.authenticated(user.getUsername(), user.getExtra());
    }
}
