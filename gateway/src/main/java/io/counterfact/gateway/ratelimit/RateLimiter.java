package io.counterfact.gateway.ratelimit;

import io.counterfact.gateway.config.GatewayConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per API key name, with the default rate and burst or the key's own
 * ({@code counterfact.rate-limit.keys.<name>.*}). The set of keys is the configured one, so the map cannot grow
 * without bound. Limits are per gateway instance: with n replicas a key may make n times as many requests.
 */
@Singleton
public class RateLimiter {

    /** The limit that applies to a key, for the 429 detail. */
    public record Limit(double requestsPerSecond, int burst) {
    }

    /** The outcome of one request: allowed, or refused with the time to wait. */
    public record Decision(boolean allowed, long retryAfterNanos, Limit limit) {
        /** Whole seconds to wait, at least 1 (for {@code Retry-After}). */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private final Limit defaults;
    private final Map<String, Limit> perKey;
    private final LongSupplier clock;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    @Inject
    public RateLimiter(GatewayConfig config) {
        this(new Limit(config.rateLimit().requestsPerSecond(), config.rateLimit().burst()),
                overrides(config.rateLimit()), System::nanoTime);
    }

    public RateLimiter(Limit defaults, Map<String, Limit> perKey, LongSupplier clock) {
        this.defaults = defaults;
        this.perKey = Map.copyOf(perKey);
        this.clock = clock;
        new TokenBucket(defaults.requestsPerSecond(), defaults.burst(), 0); // validates at start-up
        this.perKey.values().forEach(l -> new TokenBucket(l.requestsPerSecond(), l.burst(), 0));
    }

    private static Map<String, Limit> overrides(GatewayConfig.RateLimit config) {
        Map<String, Limit> map = new ConcurrentHashMap<>();
        config.keys().forEach((name, limit) -> map.put(name, new Limit(
                limit.requestsPerSecond().orElse(config.requestsPerSecond()),
                limit.burst().orElse(config.burst()))));
        return map;
    }

    public Limit limitOf(String key) {
        return perKey.getOrDefault(key, defaults);
    }

    public Decision tryAcquire(String key) {
        Limit limit = limitOf(key);
        long now = clock.getAsLong();
        TokenBucket bucket = buckets.computeIfAbsent(key,
                k -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), now));
        long wait = bucket.tryAcquire(now);
        return new Decision(wait == 0, wait, limit);
    }

    /** Forgets every bucket (all keys start full again). */
    public void reset() {
        buckets.clear();
    }
}
