package io.counterfact.gateway.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * A circuit breaker for one service.
 *
 * <ul>
 *   <li>CLOSED: calls pass; {@code failureThreshold} consecutive failures open it.</li>
 *   <li>OPEN: calls are refused at once (503) for {@code openDuration}; then the next call is let through as a
 *       trial and the breaker is HALF_OPEN.</li>
 *   <li>HALF_OPEN: only the trial call is in flight, others are refused; its success closes the breaker, its
 *       failure opens it again for another {@code openDuration}; a trial that ends with no verdict (the client went
 *       away, the body was too large) lets the next call be the trial.</li>
 * </ul>
 *
 * <p>Every call takes a {@link Permit} and reports on it exactly once. Reports from calls admitted in an earlier
 * state (an epoch that has ended) are ignored, so that a slow success from before the circuit opened does not
 * close it. Time comes from an injected monotonic clock (nanoseconds).
 */
public final class CircuitBreaker {

    public enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private final String name;
    private final int failureThreshold;
    private final long openNanos;
    private final LongSupplier clock;

    private State state = State.CLOSED;
    private long epoch;
    private int consecutiveFailures;
    private long openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(String name, int failureThreshold, Duration openDuration, LongSupplier clock) {
        if (failureThreshold < 1 || openDuration.isNegative() || openDuration.isZero()) {
            throw new IllegalArgumentException("a circuit breaker needs failure-threshold >= 1 and open-duration > 0");
        }
        this.name = name;
        this.failureThreshold = failureThreshold;
        this.openNanos = openDuration.toNanos();
        this.clock = clock;
    }

    /** A call's right to proceed; report its outcome once ({@code success}, {@code failure} or {@code ignore}). */
    public final class Permit {
        private final long permitEpoch;
        private final boolean trial;
        private final AtomicBoolean reported = new AtomicBoolean();

        private Permit(long permitEpoch, boolean trial) {
            this.permitEpoch = permitEpoch;
            this.trial = trial;
        }

        public void success() {
            if (reported.compareAndSet(false, true)) {
                onSuccess(this);
            }
        }

        public void failure() {
            if (reported.compareAndSet(false, true)) {
                onFailure(this);
            }
        }

        /** The call ended with no verdict on the service. */
        public void ignore() {
            if (reported.compareAndSet(false, true)) {
                onIgnored(this);
            }
        }
    }

    /** @return a permit, or {@code null} if the circuit refuses the call */
    public synchronized Permit tryAcquire() {
        switch (state) {
            case CLOSED:
                return new Permit(epoch, false);
            case OPEN:
                if (clock.getAsLong() - openedAt < openNanos) {
                    return null;
                }
                transition(State.HALF_OPEN);
                trialInFlight = true;
                return new Permit(epoch, true);
            case HALF_OPEN:
            default:
                if (trialInFlight) {
                    return null;
                }
                trialInFlight = true;
                return new Permit(epoch, true);
        }
    }

    private synchronized void onSuccess(Permit permit) {
        if (permit.permitEpoch != epoch) {
            return;
        }
        if (state == State.HALF_OPEN && permit.trial) {
            transition(State.CLOSED);
        } else if (state == State.CLOSED) {
            consecutiveFailures = 0;
        }
    }

    private synchronized void onFailure(Permit permit) {
        if (permit.permitEpoch != epoch) {
            return;
        }
        if (state == State.HALF_OPEN && permit.trial) {
            open();
        } else if (state == State.CLOSED && ++consecutiveFailures >= failureThreshold) {
            open();
        }
    }

    private synchronized void onIgnored(Permit permit) {
        if (permit.permitEpoch == epoch && state == State.HALF_OPEN && permit.trial) {
            trialInFlight = false;
        }
    }

    private void open() {
        transition(State.OPEN);
        openedAt = clock.getAsLong();
    }

    private void transition(State next) {
        state = next;
        epoch++;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    public synchronized State state() {
        return state;
    }

    /** How long until a refused call may be tried again (at least a second while a trial is in flight). */
    public synchronized Duration retryAfter() {
        if (state == State.OPEN) {
            long remaining = openNanos - (clock.getAsLong() - openedAt);
            return Duration.ofNanos(Math.max(remaining, 0));
        }
        return state == State.HALF_OPEN ? Duration.ofSeconds(1) : Duration.ZERO;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    public int failureThreshold() {
        return failureThreshold;
    }

    public String name() {
        return name;
    }

    /** Back to CLOSED with no failures counted. */
    public synchronized void reset() {
        transition(State.CLOSED);
    }
}
