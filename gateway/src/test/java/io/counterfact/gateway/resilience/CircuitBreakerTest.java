package io.counterfact.gateway.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static io.counterfact.gateway.resilience.CircuitBreaker.State.CLOSED;
import static io.counterfact.gateway.resilience.CircuitBreaker.State.HALF_OPEN;
import static io.counterfact.gateway.resilience.CircuitBreaker.State.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class CircuitBreakerTest {

    final AtomicLong now = new AtomicLong();
    final CircuitBreaker breaker = new CircuitBreaker("svc", 3, Duration.ofSeconds(10), now::get);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.tryAcquire().failure();
        }
    }

    @Test
    void itOpensAfterNConsecutiveFailuresOnly() {
        fail(2);
        breaker.tryAcquire().success(); // a success resets the count
        fail(2);
        assertEquals(CLOSED, breaker.state());
        fail(1);
        assertEquals(OPEN, breaker.state());
        assertNull(breaker.tryAcquire());
        assertEquals(Duration.ofSeconds(10), breaker.retryAfter());
    }

    @Test
    void afterTheOpenDurationOneTrialGoesThroughAndItsSuccessCloses() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertNull(breaker.tryAcquire());
        assertEquals(Duration.ofSeconds(1), breaker.retryAfter());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        CircuitBreaker.Permit trial = breaker.tryAcquire();
        assertNotNull(trial);
        assertEquals(HALF_OPEN, breaker.state());
        assertNull(breaker.tryAcquire(), "only one trial at a time");
        trial.success();
        assertEquals(CLOSED, breaker.state());
        assertNotNull(breaker.tryAcquire());
    }

    @Test
    void aFailedTrialOpensAgainForAFullPeriod() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        breaker.tryAcquire().failure();
        assertEquals(OPEN, breaker.state());
        assertEquals(Duration.ofSeconds(10), breaker.retryAfter());
        assertNull(breaker.tryAcquire());
    }

    @Test
    void aTrialWithNoVerdictLetsTheNextCallBeTheTrial() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        breaker.tryAcquire().ignore();
        assertEquals(HALF_OPEN, breaker.state());
        CircuitBreaker.Permit next = breaker.tryAcquire();
        assertNotNull(next);
        next.success();
        assertEquals(CLOSED, breaker.state());
    }

    @Test
    void lateReportsFromBeforeAStateChangeAreIgnored() {
        CircuitBreaker.Permit slow = breaker.tryAcquire(); // admitted while closed
        fail(3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        CircuitBreaker.Permit trial = breaker.tryAcquire();
        slow.success(); // from the closed epoch: must not close the half-open breaker
        assertEquals(HALF_OPEN, breaker.state());
        trial.failure();
        assertEquals(OPEN, breaker.state());
    }

    @Test
    void aPermitReportsOnce() {
        CircuitBreaker.Permit permit = breaker.tryAcquire();
        permit.failure();
        permit.failure();
        permit.failure();
        assertEquals(1, breaker.consecutiveFailures());
    }
}
