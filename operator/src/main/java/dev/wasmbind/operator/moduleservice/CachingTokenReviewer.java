package dev.wasmbind.operator.moduleservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wasmbind.module.source.Digests;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers reviews so a long-polling sidecar costs the API server one TokenReview per token
 * lifetime, not one per request. Entries are keyed by the token's SHA-256 (the token itself is
 * never kept) and live for at most the token's remaining lifetime (its {@code exp} claim, read
 * without verifying: the API server verified it) and never longer than {@code maxTtl}, so a deleted
 * ServiceAccount loses access within {@code maxTtl}. Refusals are remembered for {@code
 * refusedTtl}, so a caller retrying a bad token does not reach the API server each time.
 */
public final class CachingTokenReviewer implements TokenReviewer {

    public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REFUSED_TTL = Duration.ofSeconds(10);
    static final int MAX_ENTRIES = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(Review review, Instant expires) {}

    private final TokenReviewer delegate;
    private final Clock clock;
    private final Duration maxTtl;
    private final Duration refusedTtl;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public CachingTokenReviewer(
            TokenReviewer delegate, Clock clock, Duration maxTtl, Duration refusedTtl) {
        this.delegate = delegate;
        this.clock = clock;
        this.maxTtl = maxTtl;
        this.refusedTtl = refusedTtl;
    }

    /** The remembered review of {@code token}, if still fresh; never calls the delegate. */
    public Optional<Review> cached(String token) {
        String key = Digests.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expires())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        hits.incrementAndGet();
        return Optional.of(entry.review());
    }

    @Override
    public Review review(String token) throws TokenReviewException {
        Optional<Review> cached = cached(token);
        if (cached.isPresent()) {
            return cached.get();
        }
        misses.incrementAndGet();
        Review review = delegate.review(token);
        Instant now = clock.instant();
        Duration ttl = review.authenticated() ? maxTtl : refusedTtl;
        Optional<Instant> exp = expiry(token);
        Instant expires = now.plus(ttl);
        if (exp.isPresent() && exp.get().isBefore(expires)) {
            expires = exp.get();
        }
        if (expires.isAfter(now)) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.values().removeIf(e -> !now.isBefore(e.expires()));
            }
            if (entries.size() < MAX_ENTRIES) {
                entries.put(
                        Digests.sha256Hex(token.getBytes(StandardCharsets.UTF_8)),
                        new Entry(review, expires));
            }
        }
        return review;
    }

    /** Reviews answered from memory. */
    public long hits() {
        return hits.get();
    }

    /** Reviews passed to the delegate (the API server). */
    public long misses() {
        return misses.get();
    }

    /** Tokens remembered now (fresh or not yet swept). */
    public int size() {
        return entries.size();
    }

    /** Drops expired entries; the service calls it periodically. */
    public void sweep() {
        Instant now = clock.instant();
        entries.values().removeIf(e -> !now.isBefore(e.expires()));
    }

    /**
     * The {@code exp} claim of a JWT, decoded without verifying the signature; empty when the token
     * is not a JWT or has no {@code exp}.
     */
    static Optional<Instant> expiry(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode exp = claims == null ? null : claims.get("exp");
            return exp != null && exp.canConvertToLong()
                    ? Optional.of(Instant.ofEpochSecond(exp.asLong()))
                    : Optional.empty();
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
