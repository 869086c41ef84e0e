package io.counterfact.gateway.ratelimit;

/**
 * A token bucket: it holds at most {@code burst} tokens, refills at {@code ratePerSecond}, and each request takes
 * one. Time comes from the caller (nanoseconds of a monotonic clock), so tests drive it without sleeping.
 */
public final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
        if (!(ratePerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs a rate > 0 and a burst >= 1, got "
                    + ratePerSecond + "/s and " + burst);
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /**
     * Takes a token if there is one.
     *
     * @return 0 if the request may pass, else the nanoseconds until a token will be available
     */
    public synchronized long tryAcquire(long nowNanos) {
        if (nowNanos > last) {
            tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano));
    }

    public synchronized double available(long nowNanos) {
        return Math.min(capacity, tokens + Math.max(0, nowNanos - last) * ratePerNano);
    }
}
