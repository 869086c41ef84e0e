package io.counterfact.engine;

import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.testing.Synthetic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Estimators recover a known effect on simulated data. */
class SimulationTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final int P = 20;

    private static EstimationResult run(DataFrame d, String method, String estimand, List<String> cov,
                                        Map<String, Object> options) {
        return ENGINE.estimate(d, EstimationSpec.of(method, estimand, "t", "y", cov, options), ProgressListener.NONE);
    }

    private static void assertRecovers(EstimationResult r) {
        double z = (r.estimate() - Synthetic.TRUE_EFFECT) / r.stdError();
        assertTrue(Math.abs(z) < 3.5, () -> r.method() + " " + r.estimand() + ": estimate " + r.estimate() + " se "
                + r.stdError() + " is " + z + " SEs from the truth");
        assertTrue(r.ciLower() < r.estimate() && r.estimate() < r.ciUpper());
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "regression, ATE, ",
            "ipw, ATE, ", "ipw, ATT, ", "ipw, ATC, ",
            "ipw, ATE, horvitz-thompson", "ipw, ATT, horvitz-thompson",
            "aipw, ATE, ", "aipw, ATT, ", "aipw, ATC, ", "aipw, ATE, pooled", "aipw, ATE, crossfit",
            "matching, ATT, ", "matching, ATE, ", "matching, ATC, "})
    void recoversTheTrueEffectOnTheObservationalDesign(String method, String estimand, String variant) {
        DataFrame d = Synthetic.observational(5000, P, 42);
        Map<String, Object> options = variant == null ? Map.of() : switch (variant) {
            case "horvitz-thompson" -> Map.of("weights", "horvitz-thompson");
            case "pooled" -> Map.of("outcomeModel", "pooled");
            case "crossfit" -> Map.of("crossFitFolds", 5, "seed", 7);
            default -> throw new IllegalArgumentException(variant);
        };
        EstimationResult r = run(d, method, estimand, Synthetic.covariates(P), options);
        assertEquals(estimand, r.estimand());
        assertRecovers(r);
    }

    @Test
    void differenceInMeansRecoversARandomisedEffectButNotAConfoundedOne() {
        EstimationResult randomised = run(Synthetic.randomised(5000, P, 3), "difference-in-means", null, List.of(), Map.of());
        assertRecovers(randomised);
        EstimationResult confounded = run(Synthetic.observational(5000, P, 3), "difference-in-means", null, List.of(),
                Map.of());
        // the propensity loads on the outcome's strongest covariates: the naive contrast is far off
        assertTrue(Math.abs(confounded.estimate() - Synthetic.TRUE_EFFECT) > 3 * confounded.stdError(),
                () -> "confounded difference " + confounded.estimate());
    }

    @Test
    void aipwIntervalsCoverTheTruthAtTheNominalRate() {
        int replications = 200;
        int covered = 0;
        for (int rep = 0; rep < replications; rep++) {
            DataFrame d = Synthetic.observational(2000, P, 1000 + rep);
            EstimationResult r = run(d, "aipw", null, Synthetic.covariates(P), Map.of());
            if (r.ciLower() <= Synthetic.TRUE_EFFECT && Synthetic.TRUE_EFFECT <= r.ciUpper()) {
                covered++;
            }
        }
        double rate = (double) covered / replications;
        assertTrue(rate >= 0.92 && rate <= 0.98, "coverage " + rate);
    }

    @Test
    void crossFittingDoesNotDependOnTheNumberOfThreads() throws Exception {
        DataFrame d = Synthetic.observational(3000, P, 11);
        Map<String, Object> options = Map.of("crossFitFolds", 4, "seed", 5);
        EstimationResult pooled = run(d, "aipw", null, Synthetic.covariates(P), options);
        ForkJoinPool single = new ForkJoinPool(1);
        try {
            // the engine runs nested work in the pool of its caller: here a single thread
            EstimationResult serial = single.submit(() -> run(d, "aipw", null, Synthetic.covariates(P), options)).get();
            assertEquals(pooled.estimate(), serial.estimate(), 0.0);
            assertEquals(pooled.stdError(), serial.stdError(), 0.0);
        } finally {
            single.shutdown();
        }
        EstimationResult otherSeed = run(d, "aipw", null, Synthetic.covariates(P), Map.of("crossFitFolds", 4, "seed", 6));
        assertTrue(otherSeed.estimate() != pooled.estimate(), "the seed draws the folds");
        assertEquals(4, ((Number) pooled.diagnostics().get("crossFitFolds")).intValue());
    }
}
