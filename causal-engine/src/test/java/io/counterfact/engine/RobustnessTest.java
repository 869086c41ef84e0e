package io.counterfact.engine;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.robustness.EValues;
import io.counterfact.engine.robustness.Refutations;
import io.counterfact.engine.testing.Synthetic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refute option's checks and the E-values, through the facade, against what theory says they must give. */
class RobustnessTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final DataFrame DATA = Synthetic.observational(2_000, 5, 31);
    private static final List<String> X = Synthetic.covariates(5);

    private static EstimationResult run(DataFrame d, String method, List<String> covariates, Map<String, Object> options) {
        return ENGINE.estimate(d, EstimationSpec.of(method, null, "t", "y", covariates, options), ProgressListener.NONE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> refutation(EstimationResult r, String name) {
        for (Map<String, Object> m : (List<Map<String, Object>>) r.diagnostics().get("refutations")) {
            if (name.equals(m.get("name"))) {
                return m;
            }
        }
        throw new AssertionError("no refutation " + name + " in " + r.diagnostics().get("refutations"));
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void placeboEstimatesCentreOnZeroWithALargePValueWhileTheRealEffectStandsOut() {
        EstimationResult r = run(DATA, "regression", X, Map.of("refute", Map.of("placebo", Map.of("replicates", 200))));
        assertTrue(Math.abs(r.estimate() - Synthetic.TRUE_EFFECT) < 4 * r.stdError(), "estimate " + r.estimate());
        Map<String, Object> p = refutation(r, "placeboTreatment");
        int ok = (Integer) p.get("succeeded");
        assertEquals(200, ok);
        assertEquals("empirical", p.get("test"));
        assertEquals(List.of("t"), p.get("permuted"));
        // a permuted treatment has no effect: the placebo mean is 0 up to its own sampling error
        double sd = number(p, "stdDev");
        assertTrue(Math.abs(number(p, "estimate")) < 4 * sd / Math.sqrt(ok), "placebo mean " + p.get("estimate"));
        assertTrue(number(p, "pValue") > 0.3, "0 should sit inside the placebo distribution: " + p.get("pValue"));
        // the real estimate (about 2) is far outside it: no permutation comes near
        assertEquals(1.0 / (ok + 1), number(p, "effectPValue"), 1e-15);
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void placeboSpreadOfADifferenceInMeansIsItsPermutationVariance() {
        // under permutation, Var(Ȳ1 − Ȳ0) = S²(1/n1 + 1/n0) exactly, S² the outcome's variance
        EstimationResult r = run(DATA, "difference-in-means", List.of(),
                Map.of("refute", Map.of("placebo", Map.of("replicates", 400), "seed", 5)));
        double[] y = DATA.column("y").values();
        double[] t = DATA.column("t").values();
        double mean = 0;
        int n1 = 0;
        for (int i = 0; i < y.length; i++) {
            mean += y[i];
            n1 += (int) t[i];
        }
        mean /= y.length;
        double s2 = 0;
        for (double v : y) {
            s2 += (v - mean) * (v - mean);
        }
        s2 /= y.length - 1;
        double theory = Math.sqrt(s2 * (1.0 / n1 + 1.0 / (y.length - n1)));
        double sd = number(refutation(r, "placeboTreatment"), "stdDev");
        // the sd of 400 draws is within about 3.5% of the truth; 15% is four of those
        assertEquals(1.0, sd / theory, 0.15, "placebo sd " + sd + " theory " + theory);
    }

    @Test
    void aRandomCommonCauseLeavesTheEstimateWhereItWas() {
        for (String method : List.of("regression", "ipw")) {
            EstimationResult r = run(DATA, method, X, Map.of("refute", Map.of("randomCommonCause",
                    Map.of("replicates", 30))));
            Map<String, Object> c = refutation(r, "randomCommonCause");
            assertEquals(30, c.get("succeeded"));
            assertEquals("normal", c.get("test"));
            assertTrue(Math.abs(number(c, "estimate") - r.estimate()) < 0.05 * r.stdError(),
                    method + " mean " + c.get("estimate") + " vs " + r.estimate());
            assertTrue(number(c, "maxAbsChange") < 0.25 * r.stdError(), method + " moved by " + c.get("maxAbsChange"));
            assertTrue(number(c, "maxAbsChange") > 0, method + ": the covariate must have entered the model");
            assertTrue(number(c, "pValue") > 0.05, method + " p " + c.get("pValue"));
        }
    }

    @Test
    void subsetEstimatesSpreadAsSamplingWithoutReplacementPredicts() {
        EstimationResult r = run(DATA, "regression", X, Map.of("refute", Map.of("subsets",
                Map.of("fraction", 0.8, "replicates", 100))));
        Map<String, Object> s = refutation(r, "dataSubsets");
        assertEquals(1600, s.get("rows"));
        assertEquals("empirical", s.get("test"));
        // an estimate on a fraction f of the rows differs from the full one by about se·√((1 − f)/f)
        double predicted = r.stdError() * Math.sqrt(0.2 / 0.8);
        assertEquals(1.0, number(s, "stdDev") / predicted, 0.25, "subset sd " + s.get("stdDev") + " vs " + predicted);
        // their mean sits within a few predicted/√100 of the full estimate; this seed's draw is 4.4 of
        // those (the largest over 300 seeds checked, whose spread matched the prediction), hence 5
        assertTrue(Math.abs(number(s, "estimate") - r.estimate()) < 5 * predicted / Math.sqrt(100),
                s + " vs estimate " + r.estimate());
        assertTrue(number(s, "pValue") > 0.2, "p " + s.get("pValue"));
    }

    @Test
    void instrumentsArePermutedWithTheTreatmentSoThePlaceboKeepsItsFirstStage() {
        int n = 3_000;
        SplittableRandom rng = new SplittableRandom(8);
        double[] y = new double[n];
        double[] d = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = rng.nextInt(2);
            double u = rng.nextGaussian();
            d[i] = z[i] + u + rng.nextGaussian() > 0.5 ? 1 : 0;
            y[i] = 2 * d[i] + u + rng.nextGaussian();
        }
        DataFrame frame = DataFrame.of(Column.numeric("y", y), Column.binary("d", d), Column.binary("z", z));
        EstimationResult r = ENGINE.estimate(frame, new EstimationSpec("2sls", null, "d", "y", List.of(), List.of("z"),
                List.of(), null, Map.of("refute", Map.of("placebo", Map.of("replicates", 40)))), ProgressListener.NONE);
        Map<String, Object> p = refutation(r, "placeboTreatment");
        assertEquals(List.of("d", "z"), p.get("permuted"));
        // with the first stage intact the placebo LATE is as precise as the real one, and centred on 0;
        // a treatment permuted alone would leave a ratio of two noises, with no such spread
        assertTrue(number(p, "stdDev") < 2 * r.stdError(), "placebo sd " + p.get("stdDev") + " se " + r.stdError());
        assertTrue(Math.abs(number(p, "estimate")) < 4 * number(p, "stdDev") / Math.sqrt(40));
        assertTrue(number(p, "effectPValue") < 0.05);
        assertFalse(r.diagnostics().containsKey("eValue"), "an IV estimate has no E-value");
    }

    @Test
    @SuppressWarnings("unchecked")
    void refutationsAreReproducibleWhateverTheThreadsAndIndependentOfEachOther() throws Exception {
        Map<String, Object> both = Map.of("refute", Map.of("placebo", Map.of("replicates", 12),
                "subsets", Map.of("replicates", 12), "seed", 42));
        EstimationSpec spec = EstimationSpec.of("aipw", null, "t", "y", X, both);
        EstimationResult parallel = ENGINE.estimate(DATA, spec, ProgressListener.NONE);
        ForkJoinPool single = new ForkJoinPool(1);
        EstimationResult serial;
        try {
            serial = single.submit(() -> ENGINE.estimate(DATA, spec, ProgressListener.NONE)).get();
        } finally {
            single.shutdown();
        }
        assertEquals(parallel.diagnostics().get("refutations"), serial.diagnostics().get("refutations"));
        EstimationResult placeboOnly = run(DATA, "aipw", X, Map.of("refute", Map.of("placebo",
                Map.of("replicates", 12), "seed", 42)));
        assertEquals(refutation(parallel, "placeboTreatment"), refutation(placeboOnly, "placeboTreatment"));
        EstimationResult otherSeed = run(DATA, "aipw", X, Map.of("refute", Map.of("placebo",
                Map.of("replicates", 12), "seed", 43)));
        assertNotEquals(refutation(placeboOnly, "placeboTreatment").get("estimate"),
                refutation(otherSeed, "placeboTreatment").get("estimate"));
        assertEquals(List.of("placeboTreatment", "dataSubsets"), ((List<Map<String, Object>>)
                parallel.diagnostics().get("refutations")).stream().map(m -> m.get("name")).toList());
    }

    @Test
    void progressCoversTheBootstrapAndTheRefutersAndEndsAtOne() {
        List<Double> fractions = new java.util.ArrayList<>();
        List<String> stages = new java.util.ArrayList<>();
        ENGINE.estimate(DATA, EstimationSpec.of("regression", null, "t", "y", X, Map.of(
                "bootstrap", Map.of("replicates", 10), "refute", Map.of("placebo", Map.of("replicates", 10),
                        "subsets", Map.of("replicates", 10)))), (f, stage) -> {
                            fractions.add(f);
                            stages.add(stage);
                        });
        for (int i = 1; i < fractions.size(); i++) {
            assertTrue(fractions.get(i) >= fractions.get(i - 1));
        }
        assertEquals(1.0, fractions.get(fractions.size() - 1));
        assertTrue(stages.contains("bootstrap") && stages.contains("refute: placebo treatment")
                && stages.contains("refute: data subsets"), stages.toString());
        // the bootstrap's ten fits end a third of the way through the 80% after the point estimate
        int lastBootstrap = stages.lastIndexOf("bootstrap");
        assertEquals(0.2 + 0.8 / 3, fractions.get(lastBootstrap), 1e-12);
    }

    @Test
    void empiricalAndNormalPValuesFollowDoWhy() {
        // 100 simulations 0..99: 10 is below the median, 11 values are ≤ 10 → 2·11/100
        double[] sims = new double[100];
        for (int i = 0; i < 100; i++) {
            sims[i] = i;
        }
        assertEquals(0.22, Refutations.significance(10, sims), 1e-12);
        // above the median: 1 − (values below 95)/100 = 0.05 → 0.10
        assertEquals(0.10, Refutations.significance(95, sims), 1e-12);
        assertEquals(0.0, Refutations.significance(1000, sims), 0.0);
        // fewer than 100: normal with the 1/n sd; {−1, 1} has mean 0 and sd 1, so 1.96 is two-sided 5%
        assertEquals(0.05, Refutations.significance(1.959963984540054, new double[]{-1, 1}), 1e-9);
        assertEquals(1.0, Refutations.significance(3, new double[]{3, 3, 3}), 0.0);
    }

    @Test
    void refuteSettingsAreValidatedNamingTheField() {
        var schema = DATA.schema();
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", true))), "options.refute");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("placebos", true)))), "options.refute.placebos", "placebo");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("placebo", Map.of("replicates", 1))))), "options.refute.placebo.replicates");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("placebo", Map.of("permutations", 10))))), "options.refute.placebo.permutations");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("subsets", Map.of("fraction", 1.0))))), "options.refute.subsets.fraction");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("seed", "one")))), "options.refute.seed");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "y", X,
                Map.of("refute", Map.of("randomCommonCause", "yes")))), "options.refute.randomCommonCause");
        // wald takes no covariates, so it cannot take a random one
        refused(() -> ENGINE.validate(schema, new EstimationSpec("wald", null, "x1", "y", List.of(), List.of("t"),
                List.of(), null, Map.of("refute", Map.of("randomCommonCause", true)))),
                "options.refute.randomCommonCause", "'wald'");
        ENGINE.validate(schema, new EstimationSpec("wald", null, "x1", "y", List.of(), List.of("t"), List.of(), null,
                Map.of("refute", Map.of("placebo", true, "subsets", true))));
    }

    private static void refused(Executable call, String field, String... inMessage) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, call);
        assertEquals(field, e.field(), () -> "field of: " + e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
    }

    @Test
    void eValuesFollowVanderWeeleAndDing() {
        assertEquals(2 + Math.sqrt(2), EValues.ofRiskRatio(2), 1e-15);
        assertEquals(2 + Math.sqrt(2), EValues.ofRiskRatio(0.5), 1e-15);
        assertEquals(1.0, EValues.ofRiskRatio(1), 0.0);
        // the interval's bound nearest the null; 1 when the interval includes the null
        assertEquals(1.0, EValues.ofInterval(2, 0.9, 4.4), 0.0);
        assertEquals(1.5 + Math.sqrt(1.5 * 0.5), EValues.ofInterval(2, 1.5, 2.7), 1e-15);
        assertEquals(1.25 + Math.sqrt(1.25 * 0.25), EValues.ofInterval(0.5, 0.3, 0.8), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> EValues.ofRiskRatio(0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aContinuousOutcomeUsesTheStandardisedMeanDifference() {
        EstimationResult r = run(DATA, "regression", X, Map.of());
        double[] y = DATA.column("y").values();
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= y.length;
        double ss = 0;
        for (double v : y) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (y.length - 1));
        double rr = Math.exp(0.91 * r.estimate() / sd);
        double rrLower = Math.exp(0.91 * r.ciLower() / sd);
        Map<String, Object> e = (Map<String, Object>) r.diagnostics().get("eValue");
        assertEquals("standardized-mean-difference", e.get("scale"));
        assertEquals(rr + Math.sqrt(rr * (rr - 1)), number(e, "estimate"), 1e-12);
        assertEquals(rrLower + Math.sqrt(rrLower * (rrLower - 1)), number(e, "ciBound"), 1e-12);
        assertTrue(number(e, "ciBound") > 1 && number(e, "ciBound") < number(e, "estimate"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBinaryOutcomeUsesTheRiskRatioOfTheArmMeansAndANullCrossingIntervalGivesOne() {
        int n = 4_000;
        SplittableRandom rng = new SplittableRandom(12);
        double[] t = new double[n];
        double[] y = new double[n];
        double[] noEffect = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(2);
            y[i] = rng.nextDouble() < (t[i] == 1 ? 0.4 : 0.2) ? 1 : 0;
            noEffect[i] = rng.nextDouble() < 0.3 ? 1 : 0;
        }
        DataFrame d = DataFrame.of(Column.binary("t", t), Column.binary("y", y), Column.binary("flat", noEffect));
        EstimationResult r = ENGINE.estimate(d, EstimationSpec.of("difference-in-means", null, "t", "y", List.of(),
                Map.of()), ProgressListener.NONE);
        double[] sum = new double[2];
        int[] count = new int[2];
        for (int i = 0; i < n; i++) {
            sum[(int) t[i]] += y[i];
            count[(int) t[i]]++;
        }
        double p1 = sum[1] / count[1];
        double p0 = sum[0] / count[0];
        double rr = p1 / p0;
        double rrLower = (p0 + r.ciLower()) / p0;
        Map<String, Object> e = (Map<String, Object>) r.diagnostics().get("eValue");
        assertEquals("risk-difference", e.get("scale"));
        assertEquals(rr, number(e, "riskRatio"), 1e-12);
        assertEquals(rr + Math.sqrt(rr * (rr - 1)), number(e, "estimate"), 1e-12);
        assertEquals(rrLower + Math.sqrt(rrLower * (rrLower - 1)), number(e, "ciBound"), 1e-12);
        // the designed risk ratio is 2: its E-value 2 + √2 up to sampling
        assertEquals(2 + Math.sqrt(2), number(e, "estimate"), 0.5);

        EstimationResult flat = ENGINE.estimate(d, EstimationSpec.of("difference-in-means", null, "t", "flat",
                List.of(), Map.of()), ProgressListener.NONE);
        assertTrue(flat.ciLower() < 0 && flat.ciUpper() > 0, "the interval should include 0");
        assertEquals(1.0, number((Map<String, Object>) flat.diagnostics().get("eValue"), "ciBound"), 0.0);
    }

    @Test
    void noEValueForANumericTreatment() {
        EstimationResult slope = ENGINE.estimate(DATA, EstimationSpec.of("regression", null, "x1", "y",
                List.of("x2"), Map.of()), ProgressListener.NONE);
        assertFalse(slope.diagnostics().containsKey("eValue"));
    }
}
