package io.counterfact.engine.iv;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.linalg.CovarianceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.counterfact.engine.iv.IvData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 finding 6: a model whose regressors and instruments are collinear taken together, but
 * identified. In wage_experience.csv potential experience is exactly age − education − 6, with
 * educ, exper and exper² endogenous and age, age², feduc, meduc the excluded instruments (female,
 * urban the controls): X = [1, educ, exper, expersq, female, urban] and Z = [1, female, urban, age,
 * agesq, feduc, meduc] each have full column rank and Z'X has rank k = 6, while [X Z] has rank 9
 * of 13. Estimates, every standard error type, the first stages, Wu-Hausman, Sargan, Hansen J and
 * two-step GMM against statsmodels/linearmodels/numpy (make_wage_experience_reference.py beside the
 * data), at the datasets README's 1e-6 relative.
 *
 * <p>Wu-Hausman is AER's: the first-stage residuals of educ and exper sum to zero exactly (educ +
 * exper = age − 6 lies in Z's span: that direction is exogenous by construction), so the augmented
 * regression has rank k + 2 and the test has 2 degrees of freedom, as R's anova and statsmodels
 * give it (linearmodels refuses the test: its refit puts [Z, D] together).
 */
class TwoStageCollinearReferenceTest {

    private static final Map<String, double[]> DATA = IvData.csv("wage_experience.csv", "age", v -> true);
    private static final JsonNode REF = IvData.json("wage_experience_ref_py.json");
    private static final List<String> ENDOGENOUS = List.of("educ", "exper", "expersq");
    private static final List<String> EXOGENOUS = List.of("female", "urban");
    private static final List<String> INSTRUMENTS = List.of("age", "agesq", "feduc", "meduc");

    static Regressors columns(List<String> names) {
        double[][] c = new double[names.size()][];
        for (int j = 0; j < c.length; j++) {
            c[j] = DATA.get(names.get(j));
        }
        return Regressors.of(names, c);
    }

    private static IvFit fit(IvOptions options, boolean shared) {
        return TwoStageLeastSquares.fit(DATA.get("lwage"), columns(ENDOGENOUS), columns(EXOGENOUS),
                columns(INSTRUMENTS), options, shared);
    }

    @AfterAll
    static void reportAccuracy() {
        System.out.printf("collinear [X Z] 2SLS: largest relative error against statsmodels/linearmodels %.2e%n",
                IvData.worst);
    }

    @Test
    void theDataHaveTheShapeOfTheFinding() {
        double[] age = DATA.get("age");
        double[] educ = DATA.get("educ");
        double[] exper = DATA.get("exper");
        assertEquals(2000, age.length);
        for (int i = 0; i < age.length; i++) {
            assertEquals(age[i] - educ[i] - 6, exper[i], 0.0);
        }
        assertEquals(9, REF.get("rank").get("XZ").asInt());
        assertEquals(6, REF.get("rank").get("ZtX").asInt());
    }

    @Test
    void estimatesAndEveryStandardErrorMatch() {
        for (boolean shared : new boolean[]{true, false}) {
            for (CovarianceType se : CovarianceType.values()) {
                IvFit fit = fit(IvOptions.defaults().withSe(se), shared);
                String where = (shared ? "shared " : "by regressions ") + se;
                assertEquals(REF.get("n").asInt(), fit.n());
                assertEquals(REF.get("df_resid").asInt(), fit.dfResidual());
                assertEquals(List.of("intercept", "educ", "exper", "expersq", "female", "urban"), fit.terms());
                assertClose(REF.get("sigma").asDouble(), fit.sigma(), where + " sigma");
                double[] b = fit.coefficients();
                for (int j = 0; j < b.length; j++) {
                    String term = fit.terms().get(j);
                    assertClose(REF.get("coef").get(term).asDouble(), b[j], where + " coef " + term);
                    // linearmodels' IV2SLS agrees with the formulas (the reference script checks it to 1e-12)
                    assertClose(REF.get("linearmodels").get("hc1").get("coef").get(term).asDouble(), b[j],
                            where + " linearmodels coef " + term);
                }
                for (CovarianceType t : CovarianceType.values()) {
                    double[] s = fit.standardErrors(t);
                    String key = "se_" + t.name().toLowerCase();
                    for (int j = 0; j < s.length; j++) {
                        String term = fit.terms().get(j);
                        assertClose(REF.get(key).get(term).asDouble(), s[j], where + " " + key + " " + term);
                    }
                }
                for (String lm : List.of("classical", "hc0", "hc1")) {
                    double[] s = fit.standardErrors(CovarianceType.parse(lm.equals("classical") ? "classical"
                            : lm.toUpperCase()));
                    for (int j = 0; j < s.length; j++) {
                        String term = fit.terms().get(j);
                        assertClose(REF.get("linearmodels").get(lm).get("se").get(term).asDouble(), s[j],
                                where + " linearmodels " + lm + " " + term);
                    }
                }
                assertClose(REF.get("coef").get("educ").asDouble(), fit.estimate(), where + " estimate");
                assertClose(REF.get("se_" + se.name().toLowerCase()).get("educ").asDouble(), fit.stdError(),
                        where + " stdError");
            }
        }
    }

    @Test
    void firstStagesMatch() {
        for (boolean shared : new boolean[]{true, false}) {
            for (CovarianceType se : List.of(CovarianceType.HC1, CovarianceType.CLASSICAL, CovarianceType.HC3)) {
                IvFit fit = fit(IvOptions.defaults().withSe(se), shared);
                assertEquals(3, fit.firstStages().size());
                for (int e = 0; e < 3; e++) {
                    FirstStage fs = fit.firstStages().get(e);
                    JsonNode r = REF.get("first_stage").get(ENDOGENOUS.get(e));
                    String where = (shared ? "shared " : "by regressions ") + se + " first stage " + fs.regressor();
                    assertEquals(ENDOGENOUS.get(e), fs.regressor());
                    for (int j = 0; j < fs.terms().size(); j++) {
                        String term = fs.terms().get(j);
                        assertClose(r.get("coef").get(term).asDouble(), fs.coefficients()[j], where + " coef " + term);
                        assertClose(r.get("se_classical").get(term).asDouble(), fs.seClassical()[j],
                                where + " se " + term);
                        if (se == CovarianceType.HC1) {
                            assertClose(r.get("se_hc1").get(term).asDouble(), fs.seRobust()[j],
                                    where + " se_hc1 " + term);
                        }
                    }
                    assertClose(r.get("F_classical").asDouble(), fs.f(), where + " F");
                    if (se == CovarianceType.HC1) {
                        assertClose(r.get("F_hc1").asDouble(), fs.fRobust(), where + " F HC1");
                        // linearmodels' robust partial F is the Wald chi-squared: m times ours
                        assertClose(r.get("linearmodels_partial_F_robust").asDouble(), 4 * fs.fRobust(),
                                where + " linearmodels F");
                    }
                    if (se == CovarianceType.CLASSICAL) {
                        assertClose(r.get("F_classical").asDouble(), fs.fRobust(), where + " F classical");
                    }
                    assertEquals(r.get("df1").asInt(), fs.df1());
                    assertEquals(r.get("df2").asInt(), fs.df2());
                    assertClose(r.get("partial_r2").asDouble(), fs.partialR2(), where + " partial R2");
                    assertClose(r.get("linearmodels_partial_r2").asDouble(), fs.partialR2(),
                            where + " linearmodels partial R2");
                    assertClose(r.get("r_squared").asDouble(), fs.rSquared(), where + " R2");
                    assertFalse(fs.weak(), where);
                }
            }
        }
    }

    @Test
    void wuHausmanTestsTheDirectionsTheInstrumentsDoNotReproduce() {
        JsonNode r = REF.get("wu_hausman");
        assertEquals(2, r.get("df1").asInt());
        for (boolean shared : new boolean[]{true, false}) {
            for (CovarianceType se : List.of(CovarianceType.HC1, CovarianceType.CLASSICAL, CovarianceType.HC2)) {
                IvFit fit = fit(IvOptions.defaults().withSe(se), shared);
                String where = (shared ? "shared " : "by regressions ") + se;
                TestStatistic wh = fit.wuHausman().orElseThrow();
                assertClose(r.get("statistic").asDouble(), wh.statistic(), where + " Wu-Hausman");
                assertEquals(r.get("df1").asInt(), wh.df(), where);
                assertEquals(r.get("df2").asInt(), wh.df2(), where);
                assertClose(r.get("p-value").asDouble(), wh.pValue(), where + " Wu-Hausman p");
                // the reduced degrees of freedom are said in words, naming the regressors
                assertEquals(1, fit.warnings().size(), where + " " + fit.warnings());
                String w = fit.warnings().get(0);
                if (shared && se == CovarianceType.HC1) {
                    System.out.println("collinear [X Z] 2SLS warning: " + w);
                }
                assertTrue(w.contains("Wu-Hausman") && w.contains("2 degrees of freedom") && w.contains("exper")
                        && w.contains("educ"), w);
            }
        }
    }

    @Test
    void overIdentificationAndGmmMatch() {
        JsonNode r = REF.get("overid");
        for (boolean shared : new boolean[]{true, false}) {
            for (CovarianceType se : List.of(CovarianceType.HC1, CovarianceType.HC3)) {
                IvFit fit = fit(IvOptions.defaults().withSe(se), shared);
                String where = (shared ? "shared " : "by regressions ") + se;
                TestStatistic sargan = fit.sargan().orElseThrow();
                assertEquals(1, sargan.df());
                assertClose(r.get("sargan_nR2").asDouble(), sargan.statistic(), where + " Sargan");
                assertClose(r.get("sargan_linearmodels").asDouble(), sargan.statistic(), where + " Sargan lm");
                assertClose(r.get("sargan_p").asDouble(), sargan.pValue(), where + " Sargan p");
                TestStatistic j = fit.hansenJ().orElseThrow();
                assertClose(r.get("hansen_J").asDouble(), j.statistic(), where + " Hansen J");
                assertClose(r.get("hansen_J_p").asDouble(), j.pValue(), where + " Hansen J p");
                IvFit.Gmm gmm = fit.gmm().orElseThrow();
                for (int t = 0; t < fit.terms().size(); t++) {
                    String term = fit.terms().get(t);
                    assertClose(r.get("gmm2step_coef").get(term).asDouble(), gmm.coefficients()[t], where + " GMM " + term);
                    assertClose(r.get("gmm2step_se").get(term).asDouble(), gmm.standardErrors()[t],
                            where + " GMM se " + term);
                }
                // more than one endogenous regressor: no Anderson-Rubin set (as before)
                assertTrue(fit.andersonRubin().isEmpty());
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void throughTheFacade() {
        List<Column> cols = new ArrayList<>();
        DATA.forEach((name, values) -> cols.add(Column.numeric(name, values)));
        DataFrame frame = DataFrame.of(cols);
        for (String se : List.of("HC1", "classical", "HC3")) {
            EstimationSpec spec = new EstimationSpec("2sls", null, "educ", "lwage", EXOGENOUS, INSTRUMENTS,
                    List.of("exper", "expersq"), null, Map.of("se", se));
            EstimationResult res = CausalEngine.standard().estimate(frame, spec, ProgressListener.NONE);
            String key = "se_" + se.toLowerCase();
            assertClose(REF.get("coef").get("educ").asDouble(), res.estimate(), se + " estimate");
            assertClose(REF.get(key).get("educ").asDouble(), res.stdError(), se + " stdError");
            for (EstimationResult.Coefficient c : res.coefficients()) {
                assertClose(REF.get("coef").get(c.term()).asDouble(), c.estimate(), se + " coef " + c.term());
                assertClose(REF.get(key).get(c.term()).asDouble(), c.stdError(), se + " se " + c.term());
            }
            Map<String, Object> wh = (Map<String, Object>) res.diagnostics().get("wuHausman");
            assertEquals(2, ((Number) wh.get("df")).intValue());
            assertClose(REF.get("wu_hausman").get("statistic").asDouble(), ((Number) wh.get("statistic")).doubleValue(),
                    se + " Wu-Hausman");
            assertClose(REF.get("overid").get("sargan_nR2").asDouble(),
                    ((Number) ((Map<String, Object>) res.diagnostics().get("sargan")).get("statistic")).doubleValue(),
                    se + " Sargan");
            assertEquals(3, ((List<?>) res.diagnostics().get("firstStage")).size());
            assertEquals(1, res.warnings().size(), res.warnings().toString());
        }
    }

    // --- models that are not identified: refused, naming the columns ---------------------------------------

    private static void refused(Regressors endogenous, Regressors exogenous, Regressors instruments,
                                                String field, String... inMessage) {
        for (CovarianceType se : List.of(CovarianceType.HC1, CovarianceType.HC3)) {
            for (boolean shared : new boolean[]{true, false}) {
                InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> TwoStageLeastSquares.fit(
                        DATA.get("lwage"), endogenous, exogenous, instruments, IvOptions.defaults().withSe(se), shared));
                assertEquals(field, e.field(), e.getMessage());
                for (String s : inMessage) {
                    assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
                }
                assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("column 3"), e.getMessage());
            }
        }
    }

    @Test
    void anInstrumentThatIsACombinationOfAnotherAndTheControlsIsNamed() {
        double[] feduc = DATA.get("feduc");
        double[] female = DATA.get("female");
        double[] z = new double[feduc.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = 2 * feduc[i] - 3 * female[i] + 1;
        }
        refused(columns(ENDOGENOUS), columns(EXOGENOUS), columns(INSTRUMENTS).and("parents", z), "instruments[4]",
                "'parents'", "feduc", "female");
    }

    @Test
    void experienceAsAControlBesideAgeIsNamed() {
        // exper = age − educ − 6 with age a control and educ endogenous: X itself is collinear
        refused(columns(List.of("educ", "expersq")), columns(List.of("female", "urban", "age")).and("exper",
                DATA.get("exper")), columns(List.of("agesq", "feduc", "meduc")), "treatment", "'educ' is an exact linear combination of 'age', 'exper'");
    }

    @Test
    void instrumentsThatMoveTwoRegressorsAlikeAreNotIdentified() {
        // d2 = educ + (noise with no projection on Z): the instruments see d2 only through educ, Z'X has rank k − 1
        Random rng = new Random(7);
        double[] educ = DATA.get("educ");
        int n = educ.length;
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            noise[i] = rng.nextGaussian();
        }
        double[][] z = new double[3 + INSTRUMENTS.size()][];
        z[0] = new double[n];
        java.util.Arrays.fill(z[0], 1.0);
        z[1] = DATA.get("female");
        z[2] = DATA.get("urban");
        for (int j = 0; j < INSTRUMENTS.size(); j++) {
            z[3 + j] = DATA.get(INSTRUMENTS.get(j));
        }
        double[] r = io.counterfact.engine.linalg.Ols.fit(z, noise).residuals();
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) {
            d2[i] = educ[i] + r[i];
        }
        refused(columns(List.of("educ")).and("schooling_reported", d2), columns(EXOGENOUS), columns(INSTRUMENTS),
                "endogenous[0]", "schooling_reported", "educ", "age, agesq, feduc, meduc");
    }

    @Test
    void endogenousRegressorsThatAreACombinationOfEachOtherAreNamed() {
        // age = educ + exper + 6 with all three endogenous: X itself is collinear (the facade's design check
        // says so first; the fit called directly must not blame the instruments)
        refused(columns(List.of("educ", "exper", "age")), columns(EXOGENOUS), columns(List.of("feduc", "meduc", "agesq")),
                "endogenous[1]", "'age' is an exact linear combination of 'educ', 'exper'");
    }

    @Test
    void anInstrumentThatReproducesARegressorLeavesWuHausmanTheOtherDirections() {
        for (boolean shared : new boolean[]{true, false}) {
            // one endogenous regressor reproduced exactly: Wu-Hausman omitted, and said so
            IvFit one = TwoStageLeastSquares.fit(DATA.get("lwage"), columns(List.of("educ")), columns(EXOGENOUS),
                    columns(List.of("feduc")).and("educ_copy", DATA.get("educ").clone()), IvOptions.defaults(), shared);
            assertTrue(one.wuHausman().isEmpty());
            assertEquals(1, one.warnings().size(), one.warnings().toString());
            assertTrue(one.warnings().get(0).startsWith("Wu-Hausman test omitted: the instruments and covariates "
                    + "reproduce educ exactly"), one.warnings().get(0));
            // two, one of them reproduced: the test is of the other, df (1, n − k − 1)
            IvFit two = TwoStageLeastSquares.fit(DATA.get("lwage"), columns(List.of("educ", "expersq")),
                    columns(EXOGENOUS), columns(List.of("feduc", "agesq")).and("educ_copy", DATA.get("educ").clone()),
                    IvOptions.defaults(), shared);
            TestStatistic wh = two.wuHausman().orElseThrow();
            assertEquals(1, wh.df());
            assertEquals(2000 - 5 - 1, wh.df2());
            assertTrue(two.warnings().get(0).startsWith("Wu-Hausman test has 1 degree of freedom, not 2: the "
                    + "instruments and covariates reproduce educ exactly"), two.warnings().get(0));
        }
    }

    @Test
    void fewerInstrumentsThanEndogenousRegressorsIsNamed() {
        refused(columns(ENDOGENOUS), columns(EXOGENOUS), columns(List.of("age", "feduc")), "instruments",
                "2 instruments (age, feduc) for 3 endogenous regressors (educ, exper, expersq)");
    }
}
