package io.counterfact.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.EstimationResult.Coefficient;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every value of the R and statsmodels references for the NSW sample, through the public facade.
 */
class NswReferenceTest {

    private static final List<String> COVARIATES = Arrays.asList(Reference.NSW_COVARIATES);
    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static DataFrame nsw;
    private static List<JsonNode> refs;

    @BeforeAll
    static void load() {
        nsw = Frames.nsw();
        refs = Reference.nswReferences();
    }

    private static EstimationResult run(String method, String estimand, List<String> covariates,
                                        Map<String, Object> options) {
        return ENGINE.estimate(nsw, EstimationSpec.of(method, estimand, "treat", "re78", covariates, options),
                ProgressListener.NONE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @Test
    void differenceInMeans() {
        EstimationResult welch = run("difference-in-means", null, List.of(), Map.of());
        EstimationResult pooled = run("difference-in-means", null, List.of(), Map.of("se", "pooled"));
        for (JsonNode ref : refs) {
            JsonNode d = ref.get("diff_in_means");
            assertClose(d.get("estimate").asDouble(), welch.estimate(), "estimate");
            assertClose(d.get("se_welch").asDouble(), welch.stdError(), "se_welch");
            assertClose(d.get("se_pooled").asDouble(), pooled.stdError(), "se_pooled");
            assertClose(d.get("mean_treated").asDouble(), num(welch.diagnostics(), "meanTreated"), "mean_treated");
            assertClose(d.get("mean_control").asDouble(), num(welch.diagnostics(), "meanControl"), "mean_control");
        }
        assertEquals(445, welch.n());
        assertEquals(0, welch.nDropped());
        assertEquals("ATE", welch.estimand());
        // normal interval
        assertClose(1.959963984540054, (welch.ciUpper() - welch.estimate()) / welch.stdError(), 1e-9, "z");
    }

    @Test
    void regressionWithEverySeType() {
        String[] terms = {"intercept", "treat", "age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"};
        for (String se : List.of("classical", "HC0", "HC1", "HC2", "HC3")) {
            EstimationResult r = run("regression", null, COVARIATES, Map.of("se", se));
            for (JsonNode ref : refs) {
                JsonNode ols = ref.get("ols");
                String key = "se_" + se.toLowerCase();
                assertEquals(terms.length, r.coefficients().size());
                for (int j = 0; j < terms.length; j++) {
                    Coefficient c = r.coefficients().get(j);
                    assertEquals(terms[j], c.term());
                    assertClose(ols.get("coef").get(terms[j]).asDouble(), c.estimate(), "coef " + terms[j]);
                    assertClose(ols.get(key).get(terms[j]).asDouble(), c.stdError(), key + " " + terms[j]);
                }
                assertClose(ols.get("treat").get("coef").asDouble(), r.estimate(), "estimate");
                assertClose(ols.get(key).get("treat").asDouble(), r.stdError(), "stdError");
                assertClose(ols.get("sigma").asDouble(), num(r.diagnostics(), "sigma"), "sigma");
                assertClose(ols.get("r_squared").asDouble(), num(r.diagnostics(), "rSquared"), "r2");
                assertEquals(ols.get("df_resid").asInt(), ((Number) r.diagnostics().get("dfResidual")).intValue());
            }
        }
        EstimationResult byDefault = run("regression", null, COVARIATES, Map.of());
        assertClose(refs.get(0).get("ols").get("se_hc1").get("treat").asDouble(), byDefault.stdError(), "default HC1");
        // the interval uses the t quantile on the residual degrees of freedom, as confint
        double q = (byDefault.ciUpper() - byDefault.estimate()) / byDefault.stdError();
        assertClose(0.975, new TDistribution(435).cumulativeProbability(q), 1e-12, "t quantile");
        assertClose(q, (byDefault.estimate() - byDefault.ciLower()) / byDefault.stdError(), 1e-12, "symmetric");
    }

    @Test
    void logisticPropensity() {
        EstimationResult r = run("ipw", null, COVARIATES, Map.of());
        Map<String, Object> model = map(r.diagnostics().get("propensityModel"));
        Map<String, Object> ps = map(r.diagnostics().get("propensity"));
        List<Map<String, Object>> coefs = (List<Map<String, Object>>) model.get("coefficients");
        for (JsonNode ref : refs) {
            JsonNode logit = ref.get("logit_ps");
            for (Map<String, Object> c : coefs) {
                String term = (String) c.get("term");
                assertClose(logit.get("coef").get(term).asDouble(), num(c, "estimate"), "logit coef " + term);
                assertClose(logit.get("se").get(term).asDouble(), num(c, "stdError"), "logit se " + term);
            }
            assertClose(logit.get("loglik").asDouble(), num(model, "logLik"), "loglik");
            assertClose(logit.get("deviance").asDouble(), num(model, "deviance"), "deviance");
            assertClose(logit.get("null_deviance").asDouble(), num(model, "nullDeviance"), "null deviance");
            assertClose(logit.get("aic").asDouble(), num(model, "aic"), "aic");
            assertClose(logit.get("ps_mean_treated").asDouble(), num(ps, "meanTreated"), "ps mean treated");
            assertClose(logit.get("ps_mean_control").asDouble(), num(ps, "meanControl"), "ps mean control");
            assertClose(logit.get("ps_min").asDouble(), num(ps, "min"), "ps min");
            assertClose(logit.get("ps_max").asDouble(), num(ps, "max"), "ps max");
        }
        assertEquals(9, coefs.size());
        assertEquals(0, ((Number) ps.get("trimmed")).intValue());
    }

    @Test
    void inverseProbabilityWeighting() {
        EstimationResult ateMest = run("ipw", "ATE", COVARIATES, Map.of());
        EstimationResult ateKnown = run("ipw", "ATE", COVARIATES, Map.of("se", "known-propensity"));
        EstimationResult ateHt = run("ipw", "ATE", COVARIATES, Map.of("weights", "horvitz-thompson"));
        EstimationResult attMest = run("ipw", "ATT", COVARIATES, Map.of("se", "m-estimation", "weights", "normalized"));
        EstimationResult attKnown = run("ipw", "ATT", COVARIATES, Map.of("se", "known-propensity"));
        EstimationResult attHt = run("ipw", "ATT", COVARIATES, Map.of("weights", "horvitz-thompson"));
        for (JsonNode ref : refs) {
            JsonNode ipw = ref.get("ipw");
            assertClose(ipw.get("ate_hajek").asDouble(), ateMest.estimate(), "ate_hajek");
            assertClose(ipw.get("mu1_hajek").asDouble(), num(ateMest.diagnostics(), "mu1"), "mu1_hajek");
            assertClose(ipw.get("mu0_hajek").asDouble(), num(ateMest.diagnostics(), "mu0"), "mu0_hajek");
            assertClose(ipw.get("ate_ht").asDouble(), ateHt.estimate(), "ate_ht");
            assertClose(ipw.get("att_hajek").asDouble(), attMest.estimate(), "att_hajek");
            assertClose(ipw.get("mu0_att_hajek").asDouble(), num(attMest.diagnostics(), "mu0"), "mu0_att_hajek");
            assertClose(ipw.get("att_ht").asDouble(), attHt.estimate(), "att_ht");
            assertClose(ipw.get("ate_hajek_se_ps_known").asDouble(), ateKnown.stdError(), "ate se known");
            assertClose(ipw.get("ate_hajek_se_mest").asDouble(), ateMest.stdError(), "ate se mest");
            assertClose(ipw.get("att_hajek_se_ps_known").asDouble(), attKnown.stdError(), "att se known");
            assertClose(ipw.get("att_hajek_se_mest").asDouble(), attMest.stdError(), "att se mest");
        }
        JsonNode checks = refs.get(1).get("checks");
        assertClose(checks.get("ate_hajek_se_mest_numerical_jacobian").asDouble(), ateMest.stdError(), 1e-8, "numerical");
        assertClose(checks.get("att_hajek_se_mest_numerical_jacobian").asDouble(), attMest.stdError(), 1e-8, "numerical");
        assertEquals(ateMest.estimate(), ateKnown.estimate());
        assertTrue(ateMest.ciLower() < ateMest.estimate() && ateMest.estimate() < ateMest.ciUpper());
    }

    @Test
    void augmentedIpw() {
        EstimationResult ate = run("aipw", null, COVARIATES, Map.of());
        EstimationResult att = run("aipw", "ATT", COVARIATES, Map.of("outcomeModel", "arm-wise"));
        EstimationResult pooled = run("aipw", "ATE", COVARIATES, Map.of("outcomeModel", "pooled"));
        for (JsonNode ref : refs) {
            JsonNode a = ref.get("aipw");
            assertClose(a.get("ate").asDouble(), ate.estimate(), "aipw ate");
            assertClose(a.get("se_if").asDouble(), ate.stdError(), "aipw se_if");
            assertClose(a.get("se_if_nm1").asDouble(), ate.stdError() * Math.sqrt(445.0 / 444.0), "aipw se_if_nm1");
            assertClose(a.get("mu1").asDouble(), num(ate.diagnostics(), "mu1"), "aipw mu1");
            assertClose(a.get("mu0").asDouble(), num(ate.diagnostics(), "mu0"), "aipw mu0");
            assertClose(a.get("att").asDouble(), att.estimate(), "aipw att");
            assertClose(a.get("att_se_if").asDouble(), att.stdError(), "aipw att se");
            JsonNode p = ref.get("aipw_pooled_outcome");
            assertClose(p.get("ate").asDouble(), pooled.estimate(), "pooled ate");
            assertClose(p.get("se_if").asDouble(), pooled.stdError(), "pooled se");
        }
        assertEquals(COVARIATES, ate.covariatesUsed());
    }
}
