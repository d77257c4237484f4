package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.operator.moduleservice.TokenReviewer.Review;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingTokenReviewerTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String SA = "system:serviceaccount:shop:app";

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger calls = new AtomicInteger();
    private final TokenReviewer apiServer =
            token -> {
                calls.incrementAndGet();
                return token.startsWith("bad")
                        ? Review.refused("token expired")
                        : Review.authenticated(SA, Map.of());
            };
    private final CachingTokenReviewer reviewer =
            new CachingTokenReviewer(
                    apiServer, clock, Duration.ofMinutes(5), Duration.ofSeconds(10));

    @Test
    void shouldAskTheApiServerOncePerTokenWithinTheMaxTtl() throws Exception {
        String token = Jwts.expiringAt(T0.plus(Duration.ofHours(1)), "a");

        reviewer.review(token);
        clock.advance(Duration.ofMinutes(4));
        Review again = reviewer.review(token);

        assertThat(again.username()).isEqualTo(SA);
        assertThat(calls).hasValue(1);
        assertThat(reviewer.hits()).isEqualTo(1);
        assertThat(reviewer.misses()).isEqualTo(1);
    }

    @Test
    void shouldReviewAgainAfterTheMaxTtl() throws Exception {
        String token = Jwts.expiringAt(T0.plus(Duration.ofHours(1)), "a");

        reviewer.review(token);
        clock.advance(Duration.ofMinutes(5));

        assertThat(reviewer.cached(token)).isEmpty();
        reviewer.review(token);
        assertThat(calls).hasValue(2);
    }

    @Test
    void shouldNotRememberAReviewPastTheTokensExpiry() throws Exception {
        String token = Jwts.expiringAt(T0.plus(Duration.ofSeconds(30)), "a");

        reviewer.review(token);
        clock.advance(Duration.ofSeconds(29));
        assertThat(reviewer.cached(token)).isPresent();
        clock.advance(Duration.ofSeconds(1));

        assertThat(reviewer.cached(token)).isEmpty();
    }

    @Test
    void shouldNotRememberATokenThatHasAlreadyExpired() throws Exception {
        String token = Jwts.expiringAt(T0.minus(Duration.ofSeconds(1)), "a");

        reviewer.review(token);
        reviewer.review(token);

        assertThat(calls).hasValue(2);
        assertThat(reviewer.size()).isZero();
    }

    @Test
    void shouldRememberARefusalBriefly() throws Exception {
        reviewer.review("bad-token");
        reviewer.review("bad-token");
        assertThat(calls).hasValue(1);

        clock.advance(Duration.ofSeconds(10));
        assertThat(reviewer.review("bad-token").authenticated()).isFalse();
        assertThat(calls).hasValue(2);
    }

    @Test
    void shouldUseTheMaxTtlForATokenWithoutExp() throws Exception {
        reviewer.review("opaque-token");
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(reviewer.cached("opaque-token")).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(reviewer.cached("opaque-token")).isEmpty();
    }

    @Test
    void shouldNotCacheWhenTheReviewFails() {
        CachingTokenReviewer failing =
                new CachingTokenReviewer(
                        token -> {
                            calls.incrementAndGet();
                            throw new TokenReviewException("API server down", null);
                        },
                        clock,
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(10));

        assertThatThrownBy(() -> failing.review("t")).isInstanceOf(TokenReviewException.class);
        assertThatThrownBy(() -> failing.review("t")).isInstanceOf(TokenReviewException.class);
        assertThat(calls).hasValue(2);
    }

    @Test
    void shouldSweepExpiredEntries() throws Exception {
        reviewer.review("opaque-token");
        clock.advance(Duration.ofMinutes(6));

        reviewer.sweep();

        assertThat(reviewer.size()).isZero();
    }

    @Test
    void shouldReadTheExpClaimOrNothing() {
        Instant exp = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(CachingTokenReviewer.expiry(Jwts.expiringAt(exp, "x"))).hasValue(exp);
        assertThat(CachingTokenReviewer.expiry("not-a-jwt")).isEmpty();
        assertThat(CachingTokenReviewer.expiry("a.!!!.c")).isEmpty();
    }
}
