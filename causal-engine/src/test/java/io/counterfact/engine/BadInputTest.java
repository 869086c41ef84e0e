package io.counterfact.engine;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every refusal names the field and the column or option at fault. */
class BadInputTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final List<String> COVARIATES = Arrays.asList(Reference.NSW_COVARIATES);

    private static InvalidSpecException refused(Executable call, String field, String... inMessage) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, call);
        assertEquals(field, e.field(), () -> "field of: " + e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
        return e;
    }

    private static EstimationResult run(DataFrame d, String method, String treatment, List<String> covariates,
                                        Map<String, Object> options) {
        return ENGINE.estimate(d, EstimationSpec.of(method, null, treatment, "re78", covariates, options),
                ProgressListener.NONE);
    }

    @Test
    void collinearCovariatesNameTheColumnAndItsPartners() {
        double[] age = Frames.nsw("age");
        double[] educ = Frames.nsw("educ");
        double[] sum = new double[age.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = 2 * age[i] - educ[i] + 3;
        }
        DataFrame d = Frames.nswWith(Column.numeric("ageEduc", sum));
        List<String> cov = List.of("age", "educ", "ageEduc", "re74");
        for (String method : List.of("regression", "ipw", "aipw", "matching")) {
            refused(() -> run(d, method, "treat", cov, Map.of()), "covariates[2]", "'ageEduc'", "collinear",
                    "'age'", "'educ'");
        }
    }

    @Test
    void aConstantCovariateIsNamed() {
        double[] c = new double[445];
        Arrays.fill(c, 7);
        DataFrame d = Frames.nswWith(Column.numeric("seven", c));
        refused(() -> run(d, "regression", "treat", List.of("age", "seven"), Map.of()), "covariates[1]", "'seven'",
                "constant");
    }

    @Test
    void constantTreatmentIsRefused() {
        double[] ones = new double[445];
        Arrays.fill(ones, 1);
        DataFrame d = Frames.nswWith(Column.binary("everyone", ones));
        for (String method : List.of("difference-in-means", "regression", "ipw", "aipw", "matching")) {
            refused(() -> run(d, method, "everyone", COVARIATES, Map.of()), "treatment", "'everyone'", "constant");
        }
    }

    @Test
    void nonBinaryTreatmentIsRefusedWhereABinaryOneIsNeededAndAllowedInRegression() {
        double[] dose = Frames.nsw("educ").clone();
        DataFrame d = Frames.nswWith(Column.numeric("dose", dose));
        for (String method : List.of("difference-in-means", "ipw", "aipw", "matching")) {
            refused(() -> run(d, method, "dose", List.of("age"), Map.of()), "treatment", "'dose'", "not binary", method);
        }
        EstimationResult slope = run(d, "regression", "dose", List.of("age"), Map.of());
        assertEquals("dose", slope.coefficients().get(1).term());
        assertEquals(slope.coefficients().get(1).estimate(), slope.estimate(), 0.0);
        // a numeric column holding only 0/1 is a binary treatment in all but its declared type
        DataFrame numericTreat = Frames.nswWith(Column.numeric("treatNumeric", Frames.nsw("treat")));
        assertEquals(run(Frames.nsw(), "ipw", "treat", COVARIATES, Map.of()).estimate(),
                run(numericTreat, "ipw", "treatNumeric", COVARIATES, Map.of()).estimate(), 0.0);
    }

    @Test
    void perfectSeparationNamesTheCovariate() {
        double[] t = Frames.nsw("treat");
        double[] age = Frames.nsw("age");
        double[] complete = new double[t.length];
        double[] quasi = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            complete[i] = t[i] == 1 ? 1 + age[i] / 100 : -1 - age[i] / 100;
            // quasi-complete: a dummy that is 1 for a handful of treated units only
            quasi[i] = t[i] == 1 && i % 20 == 0 ? 1 : 0;
        }
        DataFrame d = Frames.nswWith(Column.numeric("score", complete), Column.binary("flag", quasi));
        for (String method : List.of("ipw", "aipw", "matching")) {
            refused(() -> run(d, method, "treat", List.of("age", "educ", "score"), Map.of()), "covariates[2]",
                    "'score'", "separation", "No overlap");
            refused(() -> run(d, method, "treat", List.of("age", "flag", "re74"), Map.of()), "covariates[1]",
                    "'flag'", "separation");
        }
    }

    @Test
    void noOverlapAfterTrimmingIsRefused() {
        // a saturated propensity: 10% treated where d = 0, 90% where d = 1
        int n = 40;
        double[] d = new double[n];
        double[] t = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i < 20 ? 0 : 1;
            int k = i % 20;
            t[i] = d[i] == 0 ? (k < 2 ? 1 : 0) : (k < 18 ? 1 : 0);
            y[i] = t[i] + d[i] + 0.1 * k;
        }
        DataFrame data = DataFrame.of(Column.binary("d", d), Column.binary("t", t), Column.numeric("y", y));
        for (String method : List.of("ipw", "aipw", "matching")) {
            refused(() -> ENGINE.estimate(data, EstimationSpec.of(method, "ATE", "t", "y", List.of("d"),
                    Map.of("trim", 0.2)), ProgressListener.NONE), "options.trim", "No overlap", "0.2");
        }
        // trimming at 0.05 keeps everyone and reports nothing trimmed
        EstimationResult kept = ENGINE.estimate(data, EstimationSpec.of("ipw", "ATE", "t", "y", List.of("d"),
                Map.of("trim", 0.05)), ProgressListener.NONE);
        assertEquals(0, ((Number) ((Map<?, ?>) kept.diagnostics().get("propensity")).get("trimmed")).intValue());
    }

    @Test
    void unknownColumnsAreNamed() {
        DataFrame d = Frames.nsw();
        refused(() -> run(d, "ipw", "treat", List.of("age", "income"), Map.of()), "covariates[1]", "'income'");
        refused(() -> run(d, "ipw", "treated", COVARIATES, Map.of()), "treatment", "'treated'");
        refused(() -> ENGINE.estimate(d, EstimationSpec.of("regression", null, "treat", "earnings", COVARIATES, Map.of()),
                ProgressListener.NONE), "outcome", "'earnings'");
        refused(() -> run(d, "regression", "treat", List.of("age", "age"), Map.of()), "covariates[1]", "'age'", "twice");
        refused(() -> run(d, "regression", "treat", List.of("age", "treat"), Map.of()), "covariates[1]", "treatment");
    }

    @Test
    void unknownOptionsAndValuesAreNamed() {
        DataFrame d = Frames.nsw();
        refused(() -> run(d, "ipw", "treat", COVARIATES, Map.of("trimming", 0.1)), "options.trimming", "'trimming'",
                "trim");
        refused(() -> run(d, "regression", "treat", COVARIATES, Map.of("trim", 0.1)), "options.trim", "'trim'");
        refused(() -> run(d, "regression", "treat", COVARIATES, Map.of("se", "HC9")), "options.se", "HC9", "HC3");
        refused(() -> run(d, "ipw", "treat", COVARIATES, Map.of("se", "HC1")), "options.se", "m-estimation");
        refused(() -> run(d, "ipw", "treat", COVARIATES, Map.of("trim", 0.5)), "options.trim", "0.5");
        refused(() -> run(d, "ipw", "treat", COVARIATES, Map.of("weights", "hajek")), "options.weights", "normalized");
        refused(() -> run(d, "aipw", "treat", COVARIATES, Map.of("crossFitFolds", 1)), "options.crossFitFolds");
        refused(() -> run(d, "aipw", "treat", COVARIATES, Map.of("outcomeModel", "forest")), "options.outcomeModel",
                "arm-wise");
        refused(() -> run(d, "aipw", "treat", COVARIATES, Map.of("confidenceLevel", 95)), "options.confidenceLevel");
        refused(() -> run(d, "aipw", "treat", COVARIATES, Map.of("bootstrap", Map.of("replicas", 10))),
                "options.bootstrap.replicas", "'replicas'");
        refused(() -> run(d, "aipw", "treat", COVARIATES, Map.of("bootstrap", Map.of("type", "normal"))),
                "options.bootstrap.type", "bca");
    }

    @Test
    void methodsAndEstimandsAreChecked() {
        DataFrame d = Frames.nsw();
        refused(() -> run(d, "lasso", "treat", COVARIATES, Map.of()), "method", "'lasso'", "aipw");
        refused(() -> run(d, "cate", "treat", COVARIATES, Map.of()), "method", "'cate'", "not available");
        refused(() -> run(d, null, "treat", COVARIATES, Map.of()), "method");
        refused(() -> ENGINE.estimate(d, EstimationSpec.of("regression", "ATT", "treat", "re78", COVARIATES, Map.of()),
                ProgressListener.NONE), "estimand", "'ATT'", "ATE");
        refused(() -> ENGINE.estimate(d, EstimationSpec.of("ipw", "LATE", "treat", "re78", COVARIATES, Map.of()),
                ProgressListener.NONE), "estimand", "LATE");
        assertEquals("ATT", run(d, "matching", "treat", COVARIATES, Map.of()).estimand());
        assertEquals("ATC", ENGINE.estimate(d, EstimationSpec.of("ipw", "atc", "treat", "re78", COVARIATES, Map.of()),
                ProgressListener.NONE).estimand());
    }

    @Test
    void ivFieldsAreRefusedByPotentialOutcomesMethods() {
        refused(() -> ENGINE.estimate(Frames.nsw(), new EstimationSpec("ipw", null, "treat", "re78", COVARIATES,
                List.of("u74"), List.of(), null, Map.of()), ProgressListener.NONE), "instruments", "'u74'", "2sls");
        refused(() -> ENGINE.validate(Frames.nsw().schema(), new EstimationSpec("regression", null, "treat", "re78",
                COVARIATES, List.of(), List.of("u75"), null, Map.of())), "endogenous", "'u75'");
    }

    @Test
    void validationNeedsOnlyTheSchema() {
        Map<String, ColumnType> schema = new LinkedHashMap<>();
        schema.put("t", ColumnType.BINARY);
        schema.put("y", ColumnType.NUMERIC);
        schema.put("segment", ColumnType.CATEGORICAL);
        ENGINE.validate(schema, EstimationSpec.of("aipw", null, "t", "y", List.of("segment"), Map.of("trim", 0.05)));
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("ipw", null, "segment", "y", List.of(), Map.of())),
                "treatment", "'segment'", "categorical");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("regression", null, "t", "segment", List.of(), Map.of())),
                "outcome", "'segment'", "categorical");
        refused(() -> ENGINE.validate(schema, EstimationSpec.of("ipw", null, "t", "y", List.of("x"), Map.of())),
                "covariates[0]", "'x'");
        CausalEngine withoutDag = CausalEngine.builder().withPotentialOutcomes().build();
        refused(() -> withoutDag.validate(schema, new EstimationSpec("ipw", null, "t", "y", List.of(), List.of(), List.of(),
                "dag { t -> y }", Map.of())), "dag", "not available");
    }
}
