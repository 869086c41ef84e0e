package io.counterfact.engine;

import io.counterfact.engine.data.DataFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmUpTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();

    @Test
    void eachRoundRunsEveryKindOfEstimationAndTheRoundsStopAtTheCap() {
        WarmUp.Report r = WarmUp.run(ENGINE, 2000, Duration.ofMinutes(5), 3);
        assertEquals(3, r.rounds());
        assertEquals(3 * WarmUp.specs().size(), r.estimations());
        assertTrue(r.took().compareTo(r.firstRound()) >= 0 && r.took().compareTo(r.lastRound()) >= 0, r.toString());
    }

    @Test
    void theRoundsStopOnceTheirTimesHaveSettled() {
        WarmUp.Report r = WarmUp.run(ENGINE, 2000, Duration.ofMinutes(5), 1000);
        // the first round (interpreted) is never "settled"; then STEADY_ROUNDS in a row near the fastest end it
        assertTrue(r.rounds() > WarmUp.STEADY_ROUNDS && r.rounds() < 1000, r.toString());
        assertTrue(r.lastRound().toNanos() <= WarmUp.STEADY_RATIO * r.firstRound().toNanos(), r.toString());
    }

    @Test
    void aSpentBudgetStartsNoRound() {
        WarmUp.Report r = WarmUp.run(ENGINE, 2000, Duration.ZERO, 10);
        assertEquals(0, r.rounds());
        assertEquals(0, r.estimations());
    }

    /** The generated data must give each method a well-posed fit, or a pod's start would throw instead of warming. */
    @Test
    void theGeneratedDataRecoverTheirOwnEffects() {
        DataFrame data = WarmUp.data(20_000, 3);
        for (EstimationSpec spec : WarmUp.specs()) {
            EstimationResult r = ENGINE.estimate(data, spec, ProgressListener.NONE);
            double truth = spec.method().equals("2sls") ? 1.5 : 2.0;
            assertTrue(Math.abs(r.estimate() - truth) < 5 * r.stdError(), spec.method() + ": " + r.estimate()
                    + " +- " + r.stdError() + " vs " + truth);
        }
    }
}
