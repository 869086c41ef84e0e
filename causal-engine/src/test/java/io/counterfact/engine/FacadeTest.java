package io.counterfact.engine;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data handling, estimand symmetry and the facade's seams. */
class FacadeTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final List<String> COVARIATES = Arrays.asList(Reference.NSW_COVARIATES);

    private static EstimationResult run(DataFrame d, String method, String estimand, String treatment,
                                        List<String> cov, Map<String, Object> options) {
        return ENGINE.estimate(d, EstimationSpec.of(method, estimand, treatment, "re78", cov, options),
                ProgressListener.NONE);
    }

    /** NSW's race as one categorical column, levels deliberately not in sort order. */
    private static Column race() {
        double[] black = Frames.nsw("black");
        double[] hispan = Frames.nsw("hispan");
        int[] codes = new int[black.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = black[i] == 1 ? 1 : hispan[i] == 1 ? 2 : 0;
        }
        return Column.categorical("race", codes, List.of("white", "black", "hispan"));
    }

    @Test
    void categoricalCovariatesAreOneHotWithTheFirstSortedLevelAsReference() {
        DataFrame d = Frames.nswWith(race());
        EstimationResult cat = run(d, "regression", null, "treat", List.of("age", "race"), Map.of());
        List<String> terms = cat.coefficients().stream().map(EstimationResult.Coefficient::term).toList();
        // "black" sorts first, so it is the reference, as R's factor() would make it
        assertEquals(List.of("intercept", "treat", "age", "race[hispan]", "race[white]"), terms);
        // the same column space as the two dummies: the treatment's coefficient and SE agree
        EstimationResult dummies = run(d, "regression", null, "treat", List.of("age", "black", "hispan"), Map.of());
        assertClose(dummies.estimate(), cat.estimate(), 1e-10, "estimate");
        assertClose(dummies.stdError(), cat.stdError(), 1e-10, "se");
        assertEquals(List.of("age", "race"), cat.covariatesUsed());
        // and the propensity methods take it too
        assertClose(run(d, "aipw", null, "treat", List.of("age", "black", "hispan"), Map.of()).estimate(),
                run(d, "aipw", null, "treat", List.of("age", "race"), Map.of()).estimate(), 1e-10, "aipw");
    }

    @Test
    void rowsWithMissingValuesInUsedColumnsAreDroppedAndCounted() {
        double[] re74 = Frames.nsw("re74").clone();
        int[] missingRows = {3, 50, 51, 300};
        for (int r : missingRows) {
            re74[r] = Double.NaN;
        }
        double[] unused = new double[445];
        Arrays.fill(unused, Double.NaN);
        List<Column> cols = new ArrayList<>();
        for (Column c : Frames.nswColumns()) {
            cols.add(c.name().equals("re74") ? Column.numeric("re74", re74) : c);
        }
        cols.add(Column.numeric("allMissing", unused));
        DataFrame withNa = DataFrame.of(cols);
        int[] keep = new int[445 - missingRows.length];
        for (int i = 0, k = 0; i < 445; i++) {
            if (Arrays.binarySearch(missingRows, i) < 0) {
                keep[k++] = i;
            }
        }
        DataFrame complete = Frames.nsw().take(keep);
        for (String method : List.of("regression", "ipw", "aipw", "matching")) {
            EstimationResult a = run(withNa, method, null, "treat", COVARIATES, Map.of());
            EstimationResult b = run(complete, method, null, "treat", COVARIATES, Map.of());
            assertEquals(4, a.nDropped(), method);
            assertEquals(0, b.nDropped(), method);
            assertEquals(b.estimate(), a.estimate(), 0.0, method);
            assertEquals(b.stdError(), a.stdError(), 0.0, method);
        }
        // a column nobody uses does not drop rows; difference-in-means ignores covariates altogether
        assertEquals(0, run(withNa, "difference-in-means", null, "treat", List.of("re74"), Map.of()).nDropped());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ipw, m-estimation", "ipw, known-propensity", "ipw, horvitz-thompson", "aipw, arm-wise",
            "aipw, pooled", "matching, "})
    void atcIsMinusTheAttOfTheFlippedTreatment(String method, String variant) {
        double[] t = Frames.nsw("treat");
        double[] flipped = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            flipped[i] = 1 - t[i];
        }
        DataFrame d = Frames.nswWith(Column.binary("control", flipped));
        Map<String, Object> options = variant == null ? Map.of() : switch (variant) {
            case "horvitz-thompson" -> Map.of("weights", variant);
            case "arm-wise", "pooled" -> Map.of("outcomeModel", variant);
            default -> Map.of("se", variant);
        };
        EstimationResult atc = run(d, method, "ATC", "treat", COVARIATES, options);
        EstimationResult att = run(d, method, "ATT", "control", COVARIATES, options);
        assertClose(-att.estimate(), atc.estimate(), 1e-9, "estimate");
        assertClose(att.stdError(), atc.stdError(), 1e-9, "se");
        // and the ATC is not just the ATT: the arms differ
        assertTrue(Math.abs(atc.estimate() - run(d, method, "ATT", "treat", COVARIATES, options).estimate()) > 1);
    }

    @Test
    void confidenceLevelSetsTheIntervalWidth() {
        EstimationResult r95 = run(Frames.nsw(), "aipw", null, "treat", COVARIATES, Map.of());
        EstimationResult r90 = run(Frames.nsw(), "aipw", null, "treat", COVARIATES, Map.of("confidenceLevel", 0.9));
        assertEquals(0.95, r95.confidenceLevel());
        assertEquals(0.9, r90.confidenceLevel());
        assertClose(1.6448536269514722, (r90.ciUpper() - r90.estimate()) / r90.stdError(), 1e-9, "z 0.95");
        assertTrue(r90.ciUpper() - r90.ciLower() < r95.ciUpper() - r95.ciLower());
    }

    @Test
    void trimmingDropsAndCountsUnitsOutsideTheBand() {
        EstimationResult all = run(Frames.nsw(), "ipw", null, "treat", COVARIATES, Map.of());
        EstimationResult trimmed = run(Frames.nsw(), "ipw", null, "treat", COVARIATES, Map.of("trim", 0.3));
        Map<?, ?> ps = (Map<?, ?>) trimmed.diagnostics().get("propensity");
        int dropped = ((Number) ps.get("trimmed")).intValue();
        assertTrue(dropped > 0 && dropped < 445, "trimmed " + dropped);
        assertEquals(445 - dropped, trimmed.n());
        assertTrue(((Number) ps.get("min")).doubleValue() >= 0.3 && ((Number) ps.get("max")).doubleValue() <= 0.7);
        assertTrue(trimmed.estimate() != all.estimate());
        assertTrue(((Number) ps.get("effectiveSampleSize")).doubleValue() < trimmed.n());
    }

    @Test
    void dagSeamSuppliesTheAdjustmentSet() {
        CausalEngine withDag = CausalEngine.builder().withPotentialOutcomes()
                .adjustmentSets((dag, treatment, outcome, columns) -> {
                    assertEquals("dag { age -> treat; age -> re78; treat -> re78 }", dag);
                    assertTrue(columns.contains("age"));
                    return List.of("age", "educ");
                }).build();
        EstimationSpec spec = new EstimationSpec("aipw", null, "treat", "re78", List.of(), List.of(), List.of(),
                "dag { age -> treat; age -> re78; treat -> re78 }", Map.of());
        EstimationResult r = withDag.estimate(Frames.nsw(), spec, ProgressListener.NONE);
        assertEquals(List.of("age", "educ"), r.covariatesUsed());
        EstimationResult direct = ENGINE.estimate(Frames.nsw(), EstimationSpec.of("aipw", null, "treat", "re78",
                List.of("age", "educ"), Map.of()), ProgressListener.NONE);
        assertEquals(direct.estimate(), r.estimate(), 0.0);
        assertTrue(r.diagnostics().containsKey("adjustmentSet"));
    }

    @Test
    void furtherMethodsJoinThroughTheRegistry() {
        Estimator toyIv = new Estimator() {
            @Override
            public String method() {
                return "toy-iv";
            }

            @Override
            public List<String> estimands() {
                return List.of("LATE");
            }

            @Override
            public List<OptionSpec> options() {
                return List.of();
            }

            @Override
            public void validate(Map<String, ColumnType> schema, EstimationSpec spec, Options options) {
                if (spec.instruments().size() != 1) {
                    throw new InvalidSpecException("instruments", "toy-iv needs one instrument");
                }
            }

            @Override
            public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options,
                                             ProgressListener progress) {
                return new EstimationResult("toy-iv", spec.estimand(), 1, 0.5, 0, 2, options.confidenceLevel(), 1, 0,
                        List.of(), List.of(), Map.of(), List.of());
            }
        };
        CausalEngine engine = CausalEngine.builder().withPotentialOutcomes().register(toyIv).build();
        EstimationSpec spec = new EstimationSpec("toy-iv", null, "treat", "re78", List.of("age"), List.of("married"),
                List.of(), null, Map.of());
        assertEquals("LATE", engine.estimate(Frames.nsw(), spec, ProgressListener.NONE).estimand());
        assertEquals("instruments", org.junit.jupiter.api.Assertions.assertThrows(InvalidSpecException.class,
                () -> engine.validate(Frames.nsw().schema(), new EstimationSpec("toy-iv", null, "treat", "re78",
                        List.of(), List.of(), List.of(), null, Map.of()))).field());
        assertTrue(engine.methods().contains("toy-iv") && !ENGINE.methods().contains("toy-iv"));
    }

    @Test
    void progressRisesToOne() {
        List<Double> seen = new ArrayList<>();
        ENGINE.estimate(Frames.nsw(), EstimationSpec.of("aipw", null, "treat", "re78", COVARIATES,
                Map.of("bootstrap", Map.of("replicates", 20))), (f, stage) -> seen.add(f));
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1));
        }
        assertEquals(1.0, seen.get(seen.size() - 1));
        assertTrue(seen.size() > 20);
    }

    /**
     * ipw and aipw refit the bootstrap's replicates through their lean {@link Estimator#pointEstimate} (no
     * diagnostics): the bootstrap must come out exactly as with full refits, for every option that changes the
     * estimate's path (trimming, normalised weights, the M-estimation SE, the pooled outcome model, cross-fitting).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ipw  | ATE | {}",
            "ipw  | ATT | {\"weights\": \"normalized\", \"se\": \"m-estimation\"}",
            "ipw  | ATE | {\"trim\": 0.05}",
            "aipw | ATE | {}",
            "aipw | ATC | {\"trim\": 0.05}",
            "aipw | ATE | {\"outcomeModel\": \"pooled\"}",
            "aipw | ATE | {\"crossFitFolds\": 3, \"seed\": 5}"})
    void leanBootstrapRefitsGiveTheFullRefitsBootstrap(String method, String estimand, String json) throws Exception {
        Map<String, Object> options = new java.util.LinkedHashMap<>(
                new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class));
        options.put("bootstrap", Map.of("replicates", 30, "seed", 3, "type", "bca"));
        EstimationSpec spec = EstimationSpec.of(method, estimand, "treat", "re78", COVARIATES, options);
        Estimator lean = "ipw".equals(method) ? new io.counterfact.engine.po.InverseProbabilityWeighting()
                : new io.counterfact.engine.po.AugmentedIpw();
        // the same estimator without its pointEstimate: every refit through estimate(...)
        Estimator full = new Estimator() {
            public String method() { return lean.method(); }
            public List<String> estimands() { return lean.estimands(); }
            public List<OptionSpec> options() { return lean.options(); }
            public void validate(Map<String, ColumnType> schema, EstimationSpec s, Options o) {
                lean.validate(schema, s, o);
            }
            public EstimationResult estimate(DataFrame d, EstimationSpec s, Options o, ProgressListener p) {
                return lean.estimate(d, s, o, p);
            }
        };
        EstimationResult withLean = CausalEngine.builder().register(lean).build()
                .estimate(Frames.nsw(), spec, ProgressListener.NONE);
        EstimationResult withFull = CausalEngine.builder().register(full).build()
                .estimate(Frames.nsw(), spec, ProgressListener.NONE);
        Map<?, ?> b = (Map<?, ?>) withLean.diagnostics().get("bootstrap");
        // (a resample can leave a cross-fitting fold without one arm: that replicate fails either way)
        assertTrue(((Number) b.get("succeeded")).intValue() >= 25, b.toString());
        assertTrue(((Number) b.get("stdError")).doubleValue() > 0);
        assertEquals(withFull.diagnostics().get("bootstrap"), b);
        assertEquals(withFull.estimate(), withLean.estimate(), 0.0);
    }

    @Test
    void bootstrapIsReproducibleWhateverTheThreadCountAndAgreesWithTheAnalyticSe() throws Exception {
        Map<String, Object> options = Map.of("bootstrap", Map.of("replicates", 100, "seed", 17));
        EstimationSpec spec = EstimationSpec.of("regression", null, "treat", "re78", COVARIATES, options);
        EstimationResult r = ENGINE.estimate(Frames.nsw(), spec, ProgressListener.NONE);
        ForkJoinPool single = new ForkJoinPool(1);
        EstimationResult serial;
        try {
            serial = single.submit(() -> ENGINE.estimate(Frames.nsw(), spec, ProgressListener.NONE)).get();
        } finally {
            single.shutdown();
        }
        Map<?, ?> b = (Map<?, ?>) r.diagnostics().get("bootstrap");
        assertEquals(b, serial.diagnostics().get("bootstrap"));
        assertEquals(100, ((Number) b.get("succeeded")).intValue());
        double bootSe = ((Number) b.get("stdError")).doubleValue();
        // nonparametric bootstrap SE estimates the heteroskedasticity-robust one (HC1 here)
        assertTrue(Math.abs(bootSe / r.stdError() - 1) < 0.15, "bootstrap se " + bootSe + " vs " + r.stdError());
        double lo = ((Number) b.get("ciLower")).doubleValue();
        double hi = ((Number) b.get("ciUpper")).doubleValue();
        assertTrue(lo < r.estimate() && r.estimate() < hi);
        assertTrue(Math.abs((hi - lo) / (r.ciUpper() - r.ciLower()) - 1) < 0.2);
        // another seed, other replicates
        EstimationResult other = ENGINE.estimate(Frames.nsw(), spec.withOptions(
                Map.of("bootstrap", Map.of("replicates", 100, "seed", 18))), ProgressListener.NONE);
        assertTrue(!b.get("ciLower").equals(((Map<?, ?>) other.diagnostics().get("bootstrap")).get("ciLower")));
    }

    @Test
    void bcaBootstrapCorrectsThePercentileInterval() {
        Map<String, Object> options = Map.of("bootstrap", Map.of("replicates", 200, "seed", 3, "type", "bca"));
        EstimationResult r = run(Frames.nsw(), "ipw", null, "treat", COVARIATES, options);
        Map<?, ?> b = (Map<?, ?>) r.diagnostics().get("bootstrap");
        assertEquals("bca", b.get("type"));
        double a = ((Number) b.get("acceleration")).doubleValue();
        double z0 = ((Number) b.get("biasCorrection")).doubleValue();
        assertTrue(Math.abs(a) < 0.1 && Math.abs(z0) < 0.5, "a " + a + " z0 " + z0);
        double lo = ((Number) b.get("ciLower")).doubleValue();
        double hi = ((Number) b.get("ciUpper")).doubleValue();
        assertTrue(lo < r.estimate() && r.estimate() < hi);
        Map<?, ?> percentile = (Map<?, ?>) run(Frames.nsw(), "ipw", null, "treat", COVARIATES,
                Map.of("bootstrap", Map.of("replicates", 200, "seed", 3))).diagnostics().get("bootstrap");
        assertTrue(!percentile.get("ciLower").equals(b.get("ciLower")), "BCa moved the limits");
    }
}
