package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerTest {

    @Test
    void shouldTakeTheNamespaceFromTheServiceAccountUser() {
        assertThat(Caller.fromUser("system:serviceaccount:shop:app", Map.of()))
                .hasValue(new Caller("shop", "app", Optional.empty()));
    }

    @Test
    void shouldKeyTheRateLimitByPodWhenTheTokenIsBoundToOne() {
        Caller caller =
                Caller.fromUser(
                                "system:serviceaccount:shop:app",
                                Map.of(Caller.POD_NAME_EXTRA, List.of("web-1")))
                        .orElseThrow();

        assertThat(caller.rateLimitKey()).isEqualTo("shop/app/web-1");
    }

    @Test
    void shouldRefuseUsersThatAreNotServiceAccounts() {
        assertThat(Caller.fromUser("alice", Map.of())).isEmpty();
        assertThat(Caller.fromUser("system:serviceaccount:shop", Map.of())).isEmpty();
        assertThat(Caller.fromUser("system:serviceaccount:shop:app:x", Map.of())).isEmpty();
        assertThat(Caller.fromUser(null, Map.of())).isEmpty();
    }
}
