package io.counterfact.engine.iv;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.Intervals;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import org.apache.commons.math3.distribution.FDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.counterfact.engine.iv.IvData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * wald and 2sls as the service runs them: {@code CausalEngine.standard().estimate(...)} on data
 * frames, against the R and statsmodels references for Stock and Watson's cigarette equations and
 * against simulations with a known effect.
 */
class IvThroughFacadeTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final Map<String, double[]> CIGARETTES = IvData.csv("cigarettes_sw.csv", "year", v -> v == 1995);

    private record Model(String key, List<String> controls, List<String> instruments) {
    }

    private static final List<Model> MODELS = List.of(
            new Model("sw_eq12_11_just_identified", List.of(), List.of("rtdiff")),
            new Model("sw_eq12_15_income_control", List.of("lrincome"), List.of("rtdiff")),
            new Model("sw_eq12_16_two_instruments", List.of("lrincome"), List.of("rtdiff", "rtax")));

    private static DataFrame frame(Map<String, double[]> columns) {
        List<Column> cols = new ArrayList<>();
        columns.forEach((name, values) -> cols.add(Column.numeric(name, values)));
        return DataFrame.of(cols);
    }

    private static EstimationSpec spec(String method, String treatment, String outcome, List<String> covariates,
                                       List<String> instruments, Map<String, Object> options) {
        return new EstimationSpec(method, null, treatment, outcome, covariates, instruments, List.of(), null, options);
    }

    private static EstimationResult run(DataFrame d, EstimationSpec spec) {
        return ENGINE.estimate(d, spec, ProgressListener.NONE);
    }

    private static InvalidSpecException refused(Executable call, String field, String... inMessage) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, call);
        assertEquals(field, e.field(), () -> "field of: " + e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    @SuppressWarnings("unchecked")
    void stockWatsonEquationsReproduceTheReferencesThroughTheFacade() {
        DataFrame cigarettes = frame(CIGARETTES);
        for (String engine : List.of("R", "py")) {
            JsonNode ref = IvData.json("cigarettes_sw_1995_ref_" + engine + ".json");
            for (Model m : MODELS) {
                JsonNode r = ref.get(m.key());
                // no se option: the API's default, HC1
                for (String se : new String[]{null, "classical", "HC0", "HC1"}) {
                    Map<String, Object> options = se == null ? Map.of() : Map.of("se", se);
                    EstimationResult res = run(cigarettes, spec("2sls", "lrprice", "lpacks", m.controls(),
                            m.instruments(), options));
                    String key = "se_" + (se == null ? "hc1" : se.toLowerCase());
                    String where = engine + " " + m.key() + " " + key;
                    assertEquals("2sls", res.method());
                    assertEquals("LATE", res.estimand());
                    assertEquals(48, res.n());
                    assertEquals(0, res.nDropped());
                    assertEquals(m.controls(), res.covariatesUsed());
                    assertClose(r.get("coef").get("lrprice").asDouble(), res.estimate(), where + " estimate");
                    assertClose(r.get(key).get("lrprice").asDouble(), res.stdError(), where + " stdError");
                    assertEquals(r.get("coef").size(), res.coefficients().size(), where);
                    for (EstimationResult.Coefficient c : res.coefficients()) {
                        assertClose(r.get("coef").get(c.term()).asDouble(), c.estimate(), where + " coef " + c.term());
                        assertClose(r.get(key).get(c.term()).asDouble(), c.stdError(), where + " se " + c.term());
                    }
                    // the API's interval for 2sls is normal
                    double z = Intervals.normalQuantile(0.975);
                    assertEquals(res.estimate() - z * res.stdError(), res.ciLower(), 1e-12);
                    assertEquals(res.estimate() + z * res.stdError(), res.ciUpper(), 1e-12);

                    Map<String, Object> first = ((List<Map<String, Object>>) res.diagnostics().get("firstStage")).get(0);
                    JsonNode fs = r.get("first_stage").get("lrprice");
                    assertEquals("lrprice", first.get("regressor"));
                    assertClose(fs.get("F_classical").asDouble(), (Double) first.get("F"), where + " F");
                    if (se == null) {
                        assertClose(fs.get("F_hc1").asDouble(), (Double) first.get("FRobust"), where + " F HC1");
                    }
                    assertEquals(false, first.get("weak"));
                    Map<String, Object> wh = (Map<String, Object>) res.diagnostics().get("wuHausman");
                    assertClose(r.get("aer_diagnostics").get("Wu-Hausman").get("statistic").asDouble(),
                            (Double) wh.get("statistic"), where + " Wu-Hausman");
                    JsonNode overid = r.get("overid");
                    if (overid == null) {
                        assertFalse(res.diagnostics().containsKey("sargan"), where);
                        assertFalse(res.diagnostics().containsKey("hansenJ"), where);
                    } else {
                        Map<String, Object> sargan = (Map<String, Object>) res.diagnostics().get("sargan");
                        Map<String, Object> j = (Map<String, Object>) res.diagnostics().get("hansenJ");
                        assertClose(overid.get("sargan_nR2").asDouble(), (Double) sargan.get("statistic"), where);
                        assertClose(overid.get("sargan_p").asDouble(), (Double) sargan.get("pValue"), where);
                        assertEquals(overid.get("df").asInt(), sargan.get("df"));
                        assertClose(overid.get("hansen_J").asDouble(), (Double) j.get("statistic"), where);
                        assertClose(overid.get("hansen_J_p").asDouble(), (Double) j.get("pValue"), where);
                    }
                    Map<String, Object> ar = (Map<String, Object>) res.diagnostics().get("andersonRubin");
                    assertTrue(ar.containsKey("ciLower") && ar.containsKey("ciUpper") && ar.containsKey("bounded"));
                    assertTrue(res.warnings().isEmpty(), where + " " + res.warnings());
                }
            }
        }
    }

    @Test
    void rowsMissingAnInstrumentAreDroppedAndCounted() {
        Map<String, double[]> withNa = new LinkedHashMap<>(CIGARETTES);
        double[] rtax = CIGARETTES.get("rtax").clone();
        rtax[5] = Double.NaN;
        rtax[17] = Double.NaN;
        withNa.put("rtax", rtax);
        EstimationSpec eq16 = spec("2sls", "lrprice", "lpacks", List.of("lrincome"), List.of("rtdiff", "rtax"),
                Map.of());
        EstimationResult dropped = run(frame(withNa), eq16);
        int[] keep = new int[46];
        for (int i = 0, k = 0; i < 48; i++) {
            if (i != 5 && i != 17) {
                keep[k++] = i;
            }
        }
        EstimationResult complete = run(frame(CIGARETTES).take(keep), eq16);
        assertEquals(2, dropped.nDropped());
        assertEquals(46, dropped.n());
        assertEquals(complete.estimate(), dropped.estimate(), 0.0);
        assertEquals(complete.stdError(), dropped.stdError(), 0.0);
        // and the estimate moved: those rows counted in the 48-row fit
        assertTrue(dropped.estimate() != run(frame(CIGARETTES), eq16).estimate());
    }

    @Test
    void aCategoricalControlEntersOneHotLikeItsDummies() {
        SyntheticIv s = SyntheticIv.generate(3_000, 7);
        int n = s.y.length;
        int[] codes = new int[n];
        double[] b = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            codes[i] = s.x[0][i] < -0.5 ? 0 : s.x[0][i] < 0.5 ? 1 : 2;
            b[i] = codes[i] == 1 ? 1 : 0;
            c[i] = codes[i] == 2 ? 1 : 0;
        }
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.z),
                Column.categorical("band", codes, List.of("a", "b", "c")), Column.binary("bandB", b),
                Column.binary("bandC", c));
        EstimationResult categorical = run(d, spec("2sls", "d", "y", List.of("band"), List.of("z"), Map.of()));
        EstimationResult dummies = run(d, spec("2sls", "d", "y", List.of("bandB", "bandC"), List.of("z"), Map.of()));
        assertEquals(List.of("intercept", "d", "band[b]", "band[c]"),
                categorical.coefficients().stream().map(EstimationResult.Coefficient::term).toList());
        assertEquals(dummies.estimate(), categorical.estimate(), 1e-10 * Math.abs(dummies.estimate()));
        assertEquals(dummies.stdError(), categorical.stdError(), 1e-10 * dummies.stdError());
        assertEquals(List.of("band"), categorical.covariatesUsed());
    }

    @Test
    void collinearRegressorsAreNamedAsTheDesignMatrixNamesThemOnEveryCovariancePath() {
        // the 2sls method leaves the design matrix's rank check of [1, d, covariates] to the fit (HC1: on the
        // shared Gram matrix; HC2: on one of its own); the error must read as the design matrix's own
        SyntheticIv s = SyntheticIv.generate(2_000, 5);
        double[] sum = new double[s.y.length];
        double[] seven = new double[s.y.length];
        double[] dose = new double[s.y.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = 2 * s.x[0][i] - s.x[1][i] + 3;
            seven[i] = 7;
            dose[i] = s.x[0][i] - 0.5 * s.x[1][i];
        }
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.z),
                Column.numeric("x1", s.x[0]), Column.numeric("x2", s.x[1]), Column.numeric("x12", sum),
                Column.numeric("seven", seven), Column.numeric("dose", dose));
        List<String> collinear = List.of("x1", "x2", "x12");
        for (String se : List.of("HC1", "classical", "HC2")) {
            InvalidSpecException e = refused(() -> run(d, spec("2sls", "d", "y", collinear, List.of("z"),
                    Map.of("se", se))), "covariates[2]", "'x12'", "collinear", "'x1'", "'x2'");
            // word for word the design matrix's message (DesignMatrix.collinearity, as its own check words it)
            assertEquals("Covariate 'x12' is collinear with covariate 'x1', covariate 'x2' in the 2000 rows used: "
                    + "it is an exact linear combination of them and the intercept, so their effects cannot be "
                    + "separated; drop one of them", e.getMessage(), se);
            refused(() -> run(d, spec("2sls", "d", "y", List.of("x1", "seven"), List.of("z"), Map.of("se", se))),
                    "covariates[1]", "'seven'", "constant");
            // a numeric treatment that the covariates reproduce
            refused(() -> run(d, spec("2sls", "dose", "y", List.of("x1", "x2"), List.of("z"), Map.of("se", se))),
                    "covariates[1]", "'x2'", "collinear", "'dose'", "'x1'");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void withFullComplianceTheInstrumentIsTheTreatmentAndTwoStageLeastSquaresIsOls() {
        // z = d is no collinearity defect for an IV model: the first stage fits exactly and 2SLS is OLS
        SyntheticIv s = SyntheticIv.generate(2_000, 11);
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.d.clone()),
                Column.numeric("x1", s.x[0]), Column.numeric("x2", s.x[1]));
        EstimationResult iv = run(d, spec("2sls", "d", "y", List.of("x1", "x2"), List.of("z"), Map.of()));
        EstimationResult ols = run(d, EstimationSpec.of("regression", null, "d", "y", List.of("x1", "x2"), Map.of()));
        assertEquals(ols.estimate(), iv.estimate(), 1e-9 * Math.abs(ols.estimate()));
        assertEquals(ols.stdError(), iv.stdError(), 1e-9 * ols.stdError());
        Map<?, ?> first = ((List<Map<?, ?>>) iv.diagnostics().get("firstStage")).get(0);
        assertEquals(1.0, (Double) first.get("partialR2"), 1e-12);
        assertEquals(null, first.get("F"), "an infinite F has no JSON number");
        assertEquals(false, first.get("weak"));
        // and the Wald ratio is then the difference in means, whose Welch error it reproduces
        EstimationResult wald = run(d, spec("wald", "d", "y", List.of(), List.of("z"), Map.of()));
        EstimationResult dim = run(d, EstimationSpec.of("difference-in-means", null, "d", "y", List.of(), Map.of()));
        assertEquals(dim.estimate(), wald.estimate(), 1e-12 * Math.abs(dim.estimate()));
        assertEquals(dim.stdError(), wald.stdError(), 1e-9 * dim.stdError());
    }

    @Test
    @SuppressWarnings("unchecked")
    void waldRecoversTheEffectEqualsTwoStageLeastSquaresAndItsAndersonRubinSetInvertsTheWelchTest() {
        SyntheticIv s = SyntheticIv.generate(20_000, 20240601);
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.z));
        EstimationResult wald = run(d, spec("wald", "d", "y", List.of(), List.of("z"), Map.of()));
        EstimationResult tsls = run(d, spec("2sls", "d", "y", List.of(), List.of("z"), Map.of()));
        assertEquals("LATE", wald.estimand());
        assertEquals(tsls.estimate(), wald.estimate(), 1e-10 * Math.abs(wald.estimate()));
        // the instrument is randomised, so the ratio is consistent without the controls
        assertTrue(Math.abs(wald.estimate() - SyntheticIv.EFFECT) < 4 * wald.stdError(),
                "wald " + wald.estimate() + " se " + wald.stdError());
        assertTrue(wald.coefficients().isEmpty());
        Map<String, Object> first = ((List<Map<String, Object>>) wald.diagnostics().get("firstStage")).get(0);
        assertEquals("d", first.get("regressor"));
        assertEquals(false, first.get("weak"));
        assertTrue(wald.diagnostics().containsKey("wuHausman"));

        // at each end of the Anderson-Rubin set, the squared difference in means of y − β0·d over its
        // per-arm (Welch) variance is the F(1, n − 2) critical value
        Map<String, Object> ar = (Map<String, Object>) wald.diagnostics().get("andersonRubin");
        assertEquals(true, ar.get("bounded"));
        double crit = new FDistribution(1, s.y.length - 2).inverseCumulativeProbability(0.95);
        for (String end : List.of("ciLower", "ciUpper")) {
            double beta0 = (Double) ar.get(end);
            assertEquals(crit, welchStatistic(s.y, s.d, s.z, beta0), 1e-6 * crit, end);
        }
        assertTrue((Double) ar.get("ciLower") < wald.estimate() && wald.estimate() < (Double) ar.get("ciUpper"));
    }

    @Test
    void theBootstrapResamplesTheWholeIvModel() {
        // resampling rows refits both stages, so the replicates spread as the estimator does, which HC1 estimates too
        SyntheticIv s = SyntheticIv.generate(2_000, 21);
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.z),
                Column.numeric("x1", s.x[0]));
        EstimationResult r = run(d, spec("2sls", "d", "y", List.of("x1"), List.of("z"),
                Map.of("bootstrap", Map.of("replicates", 200, "seed", 4))));
        Map<?, ?> b = (Map<?, ?>) r.diagnostics().get("bootstrap");
        assertEquals(200, ((Number) b.get("succeeded")).intValue());
        double bootSe = ((Number) b.get("stdError")).doubleValue();
        // 200 replicates estimate an sd to about 5%; 20% is four of those
        assertEquals(1.0, bootSe / r.stdError(), 0.2, "bootstrap se " + bootSe + " vs HC1 " + r.stdError());
    }

    /** (mean difference of y − β0·d between the arms of z)² over its Welch variance. */
    private static double welchStatistic(double[] y, double[] d, double[] z, double beta0) {
        double[] sum = new double[2];
        double[] sq = new double[2];
        int[] count = new int[2];
        for (int i = 0; i < y.length; i++) {
            int g = (int) z[i];
            double v = y[i] - beta0 * d[i];
            sum[g] += v;
            sq[g] += v * v;
            count[g]++;
        }
        double var = 0;
        for (int g = 0; g < 2; g++) {
            double mean = sum[g] / count[g];
            var += (sq[g] - count[g] * mean * mean) / (count[g] - 1) / count[g];
        }
        double diff = sum[1] / count[1] - sum[0] / count[0];
        return diff * diff / var;
    }

    @Test
    void badIvRequestsAreRefusedNamingTheField() {
        SyntheticIv s = SyntheticIv.generate(500, 3);
        double[] three = new double[500];
        int[] codes = new int[500];
        for (int i = 0; i < 500; i++) {
            three[i] = i % 3;
            codes[i] = i % 2;
        }
        DataFrame d = DataFrame.of(Column.numeric("y", s.y), Column.binary("d", s.d), Column.binary("z", s.z),
                Column.numeric("x1", s.x[0]), Column.numeric("x2", s.x[1]), Column.numeric("three", three),
                Column.categorical("site", codes, List.of("north", "south")));
        var schema = d.schema();
        refused(() -> ENGINE.validate(schema, spec("wald", "d", "y", List.of(), List.of("z", "x1"), Map.of())),
                "instruments", "exactly one", "2sls");
        refused(() -> ENGINE.validate(schema, spec("wald", "d", "y", List.of("x1"), List.of("z"), Map.of())),
                "covariates", "'x1'", "2sls");
        refused(() -> ENGINE.validate(schema, spec("wald", "d", "y", List.of(), List.of("site"), Map.of())),
                "instruments[0]", "'site'", "categorical");
        refused(() -> ENGINE.validate(schema, spec("wald", "d", "y", List.of(), List.of(), Map.of())),
                "instruments", "instrument");
        refused(() -> ENGINE.validate(schema, spec("wald", "d", "y", List.of(), List.of("z"), Map.of("se", "HC1"))),
                "options.se", "'se'");
        // a numeric instrument is checked on its values
        refused(() -> run(d, spec("wald", "d", "y", List.of(), List.of("three"), Map.of())), "instruments[0]",
                "'three'", "binary");
        refused(() -> ENGINE.validate(schema, spec("2sls", "d", "y", List.of("x1"), List.of(), Map.of())),
                "instruments", "'d'");
        refused(() -> ENGINE.validate(schema, spec("2sls", "d", "y", List.of("x1"), List.of("z", "x1"), Map.of())),
                "instruments[1]", "'x1'", "covariates[0]");
        refused(() -> ENGINE.validate(schema, new EstimationSpec("2sls", null, "d", "y", List.of(), List.of("z"),
                List.of("x2"), null, Map.of())), "instruments", "not identified", "x2");
        refused(() -> ENGINE.validate(schema, new EstimationSpec("2sls", "ATE", "d", "y", List.of(), List.of("z"),
                List.of(), null, Map.of())), "estimand", "LATE");
        refused(() -> ENGINE.validate(schema, new EstimationSpec("2sls", null, "d", "y", List.of(), List.of("z"),
                List.of(), "dag { z -> d; d -> y }", Map.of())), "dag", "exogenous controls");
        refused(() -> ENGINE.validate(schema, spec("2sls", "d", "y", List.of(), List.of("z"), Map.of("se", "HC4"))),
                "options.se", "HC3");
        // a categorical instrument is one-hot: two levels, one dummy, enough for one regressor
        EstimationResult bySite = run(d, spec("2sls", "d", "y", List.of(), List.of("site"), Map.of()));
        assertTrue(Double.isFinite(bySite.estimate()));
    }
}
