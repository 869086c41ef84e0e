package io.counterfact.gateway.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketLetsTheBurstThroughThenRefusesWithTheTimeToTheNextToken() {
        TokenBucket bucket = new TokenBucket(2, 3, 0); // a token every 500 ms
        for (int i = 0; i < 3; i++) {
            assertEquals(0, bucket.tryAcquire(0));
        }
        assertEquals(SECOND / 2, bucket.tryAcquire(0));
        assertEquals(SECOND / 4, bucket.tryAcquire(SECOND / 4));
        assertEquals(0, bucket.tryAcquire(SECOND / 2));
        assertTrue(bucket.tryAcquire(SECOND / 2) > 0);
    }

    @Test
    void refillIsCappedAtTheBurst() {
        TokenBucket bucket = new TokenBucket(10, 2, 0);
        bucket.tryAcquire(0);
        bucket.tryAcquire(0);
        assertEquals(2.0, bucket.available(3600 * SECOND), 1e-9); // an hour idle: still only the burst
        assertEquals(0, bucket.tryAcquire(3600 * SECOND));
        assertEquals(0, bucket.tryAcquire(3600 * SECOND));
        assertTrue(bucket.tryAcquire(3600 * SECOND) > 0);
    }

    @Test
    void theSustainedRateIsTheConfiguredOne() {
        TokenBucket bucket = new TokenBucket(5, 1, 0);
        int passed = 0;
        for (long t = 0; t < 10 * SECOND; t += SECOND / 100) { // 1000 attempts over 10 s
            if (bucket.tryAcquire(t) == 0) {
                passed++;
            }
        }
        assertEquals(50, passed, 1); // 5/s for 10 s (plus the initial token)
    }

    @Test
    void aClockGoingBackwardsDoesNotMintTokens() {
        TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
        assertEquals(0, bucket.tryAcquire(10 * SECOND));
        assertTrue(bucket.tryAcquire(5 * SECOND) > 0);
        assertTrue(bucket.tryAcquire(10 * SECOND) > 0);
        assertEquals(0, bucket.tryAcquire(11 * SECOND));
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, 0));
    }

    @Test
    void theLimiterKeepsABucketPerKeyWithPerKeyOverridesAndWholeSecondRetryAfter() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(new RateLimiter.Limit(1, 1),
                Map.of("batch", new RateLimiter.Limit(0.25, 2)), now::get);
        assertTrue(limiter.tryAcquire("analyst").allowed());
        RateLimiter.Decision refused = limiter.tryAcquire("analyst");
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds());
        assertTrue(limiter.tryAcquire("viewer").allowed(), "keys do not share a bucket");

        assertTrue(limiter.tryAcquire("batch").allowed());
        assertTrue(limiter.tryAcquire("batch").allowed());
        RateLimiter.Decision batch = limiter.tryAcquire("batch");
        assertFalse(batch.allowed());
        assertEquals(4, batch.retryAfterSeconds());
        now.set(3 * SECOND + SECOND / 2);
        assertEquals(1, limiter.tryAcquire("batch").retryAfterSeconds(), "rounded up, never 0");
        now.set(4 * SECOND);
        assertTrue(limiter.tryAcquire("batch").allowed());
    }
}
