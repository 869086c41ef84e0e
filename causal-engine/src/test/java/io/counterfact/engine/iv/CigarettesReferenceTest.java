package io.counterfact.engine.iv;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.linalg.CovarianceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.counterfact.engine.iv.IvData.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stock and Watson's cigarette-demand equations 12.11, 12.15 and 12.16 on the 1995 rows of
 * AER::CigarettesSW, against every value of the R (AER, sandwich, lmtest) and statsmodels
 * references, at the datasets README's 1e-6 relative.
 */
class CigarettesReferenceTest {

    private static final Map<String, double[]> DATA = IvData.csv("cigarettes_sw.csv", "year", v -> v == 1995);

    private record Model(String key, List<String> exogenous, List<String> instruments) {
    }

    private static final List<Model> MODELS = List.of(
            new Model("sw_eq12_11_just_identified", List.of(), List.of("rtdiff")),
            new Model("sw_eq12_15_income_control", List.of("lrincome"), List.of("rtdiff")),
            new Model("sw_eq12_16_two_instruments", List.of("lrincome"), List.of("rtdiff", "rtax")));

    static Regressors columns(List<String> names) {
        double[][] c = new double[names.size()][];
        for (int j = 0; j < c.length; j++) {
            c[j] = DATA.get(names.get(j));
        }
        return Regressors.of(names, c);
    }

    static IvFit fit(Model m, IvOptions options) {
        return TwoStageLeastSquares.fit(DATA.get("lpacks"), Regressors.of("lrprice", DATA.get("lrprice")),
                columns(m.exogenous()), columns(m.instruments()), options);
    }

    @AfterAll
    static void reportAccuracy() {
        System.out.printf("cigarettes 2SLS: largest relative error against R and statsmodels %.2e%n", IvData.worst);
    }

    @Test
    void reproducesCoefficientsStandardErrorsAndSigma() {
        assertEquals(48, DATA.get("lpacks").length);
        for (String engine : List.of("R", "py")) {
            JsonNode ref = IvData.json("cigarettes_sw_1995_ref_" + engine + ".json");
            for (Model m : MODELS) {
                JsonNode r = ref.get(m.key());
                IvFit fit = fit(m, IvOptions.defaults());
                String where = engine + " " + m.key();
                assertEquals(r.get("n").asInt(), fit.n(), where);
                assertEquals(r.get("df_resid").asInt(), fit.dfResidual(), where);
                assertClose(r.get("sigma").asDouble(), fit.sigma(), where + " sigma");
                double[] b = fit.coefficients();
                for (int j = 0; j < b.length; j++) {
                    String term = fit.terms().get(j);
                    assertClose(r.get("coef").get(term).asDouble(), b[j], where + " coef " + term);
                }
                for (CovarianceType t : List.of(CovarianceType.CLASSICAL, CovarianceType.HC0, CovarianceType.HC1)) {
                    double[] se = fit.standardErrors(t);
                    String key = "se_" + t.name().toLowerCase();
                    for (int j = 0; j < se.length; j++) {
                        String term = fit.terms().get(j);
                        assertClose(r.get(key).get(term).asDouble(), se[j], where + " " + key + " " + term);
                    }
                }
                // the default (HC1) drives the headline numbers
                assertClose(r.get("coef").get("lrprice").asDouble(), fit.estimate(), where + " estimate");
                assertClose(r.get("se_hc1").get("lrprice").asDouble(), fit.stdError(), where + " stdError");
                assertEquals(fit.terms(), fit.coefficientTable().stream().map(IvFit.Coefficient::term).toList());
            }
        }
    }

    @Test
    void reproducesTheFirstStages() {
        for (String engine : List.of("R", "py")) {
            JsonNode ref = IvData.json("cigarettes_sw_1995_ref_" + engine + ".json");
            for (Model m : MODELS) {
                JsonNode r = ref.get(m.key()).get("first_stage").get("lrprice");
                FirstStage fs = fit(m, IvOptions.defaults()).firstStages().get(0);
                String where = engine + " " + m.key() + " first stage";
                assertEquals("lrprice", fs.regressor());
                for (int j = 0; j < fs.terms().size(); j++) {
                    String term = fs.terms().get(j);
                    assertClose(r.get("coef").get(term).asDouble(), fs.coefficients()[j], where + " coef " + term);
                    assertClose(r.get("se_classical").get(term).asDouble(), fs.seClassical()[j], where + " se " + term);
                    assertClose(r.get("se_hc1").get(term).asDouble(), fs.seRobust()[j], where + " se_hc1 " + term);
                }
                assertEquals(r.get("coef").size(), fs.terms().size());
                assertClose(r.get("F_classical").asDouble(), fs.f(), where + " F");
                assertClose(r.get("F_hc1").asDouble(), fs.fRobust(), where + " F HC1");
                assertEquals(r.get("df1").asInt(), fs.df1());
                assertEquals(r.get("df2").asInt(), fs.df2());
                assertClose(r.get("r_squared").asDouble(), fs.rSquared(), where + " R2");
                assertFalse(fs.weak(), where);
                // AER's "Weak instruments" line is the classical first-stage F
                assertClose(ref.get(m.key()).get("aer_diagnostics").get("Weak instruments").get("statistic").asDouble(),
                        fs.f(), where + " AER weak instruments");
            }
        }
        JsonNode weakR = IvData.json("cigarettes_sw_1995_ref_R.json").get("sw_eq12_16_two_instruments")
                .get("aer_diagnostics").get("Weak instruments");
        FirstStage fs = fit(MODELS.get(2), IvOptions.defaults()).firstStages().get(0);
        assertClose(weakR.get("p-value").asDouble(), fs.pValue(), "AER weak instruments p-value");
    }

    @Test
    void reproducesWuHausmanSarganHansenAndGmm() {
        for (String engine : List.of("R", "py")) {
            JsonNode ref = IvData.json("cigarettes_sw_1995_ref_" + engine + ".json");
            for (Model m : MODELS) {
                JsonNode r = ref.get(m.key());
                IvFit fit = fit(m, IvOptions.defaults());
                String where = engine + " " + m.key();
                JsonNode wh = r.get("aer_diagnostics").get("Wu-Hausman");
                assertClose(wh.get("statistic").asDouble(), fit.wuHausman().orElseThrow().statistic(), where + " Wu-Hausman");
                if (wh.has("df1")) {
                    assertEquals(wh.get("df1").asInt(), fit.wuHausman().orElseThrow().df());
                    assertEquals(wh.get("df2").asInt(), fit.wuHausman().orElseThrow().df2());
                    assertClose(wh.get("p-value").asDouble(), fit.wuHausman().orElseThrow().pValue(), where + " Wu-Hausman p");
                }
                JsonNode overid = r.get("overid");
                if (overid == null) {
                    assertTrue(fit.sargan().isEmpty() && fit.hansenJ().isEmpty() && fit.gmm().isEmpty(), where);
                    continue;
                }
                TestStatistic sargan = fit.sargan().orElseThrow();
                assertClose(overid.get("sargan_nR2").asDouble(), sargan.statistic(), where + " Sargan");
                assertClose(overid.get("sargan_p").asDouble(), sargan.pValue(), where + " Sargan p");
                assertEquals(overid.get("df").asInt(), sargan.df());
                assertClose(r.get("aer_diagnostics").get("Sargan").get("statistic").asDouble(), sargan.statistic(),
                        where + " AER Sargan");
                TestStatistic j = fit.hansenJ().orElseThrow();
                assertClose(overid.get("hansen_J").asDouble(), j.statistic(), where + " Hansen J");
                assertClose(overid.get("hansen_J_p").asDouble(), j.pValue(), where + " Hansen J p");
                IvFit.Gmm gmm = fit.gmm().orElseThrow();
                for (int t = 0; t < fit.terms().size(); t++) {
                    String term = fit.terms().get(t);
                    assertClose(overid.get("gmm2step_coef").get(term).asDouble(), gmm.coefficients()[t], where + " GMM " + term);
                    assertClose(overid.get("gmm2step_se").get(term).asDouble(), gmm.standardErrors()[t], where + " GMM se " + term);
                }
            }
        }
    }

    @Test
    void classicalRobustFIsTheClassicalF() {
        // a Wald F with the classical covariance is the F test of the same restriction
        for (Model m : MODELS) {
            FirstStage fs = fit(m, IvOptions.defaults().withSe(CovarianceType.CLASSICAL)).firstStages().get(0);
            assertEquals(fs.f(), fs.fRobust(), 1e-9 * fs.f(), m.key());
        }
    }
}
