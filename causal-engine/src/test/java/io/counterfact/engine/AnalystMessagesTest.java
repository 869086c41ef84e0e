package io.counterfact.engine;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.linalg.RankDeficientException;
import io.counterfact.engine.testing.Frames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the engine says when it refuses is written for the analyst: the columns by name and what to do, never an
 * exception's class, a package name or a matrix index ("column 1 is a linear combination ...").
 */
class AnalystMessagesTest {

    private static final CausalEngine ENGINE = CausalEngine.standard();
    private static final Pattern INTERNALS = Pattern.compile("io\\.counterfact|Exception|java\\.|\\bcolumn \\d+ (is a linear|diverges)");

    private static void forAnalyst(String message) {
        assertTrue(message != null && !message.isBlank(), "a message");
        assertTrue(!INTERNALS.matcher(message).find(), () -> "internals in: " + message);
    }

    /** Every method on data that break it in the usual ways: whatever is refused is refused in the analyst's words. */
    @Test
    void everyRefusalOfBadDataNamesColumnsAndNoInternals() {
        double[] age = Frames.nsw("age");
        double[] educ = Frames.nsw("educ");
        double[] treat = Frames.nsw("treat");
        int n = age.length;
        double[] sum = new double[n];
        double[] seven = new double[n];
        for (int i = 0; i < n; i++) {
            sum[i] = 2 * age[i] - educ[i] + 3;
            seven[i] = 7;
        }
        DataFrame d = Frames.nswWith(Column.numeric("ageEduc", sum), Column.numeric("seven", seven),
                Column.binary("treatCopy", treat.clone()), Column.numeric("treatNumeric", treat.clone()));
        List<List<String>> covariateSets = List.of(
                List.of("age", "educ", "ageEduc"),
                List.of("age", "seven"),
                List.of("treatCopy"),
                List.of("age", "treatNumeric"));
        // the first rows only: fewer rows than some models have coefficients
        int[] few = {0, 1, 2, 3, 200, 201, 202};
        DataFrame tiny = d.take(few);
        Map<String, List<Map<String, Object>>> variants = Map.of(
                "aipw", List.of(Map.of(), Map.of("outcomeModel", "pooled"), Map.of("crossFitFolds", 2)),
                "ipw", List.of(Map.of(), Map.of("se", "known-propensity"), Map.of("trim", 0.1)),
                "regression", List.of(Map.of(), Map.of("se", "HC3"),
                        Map.of("refute", Map.of("randomCommonCause", Map.of("replicates", 2))),
                        Map.of("bootstrap", Map.of("replicates", 3))));
        int refused = 0;
        for (DataFrame data : List.of(d, tiny)) {
            for (String method : ENGINE.methods()) {
                boolean iv = method.equals("wald") || method.equals("2sls");
                for (List<String> covariates : covariateSets) {
                    for (Map<String, Object> options : variants.getOrDefault(method, List.of(Map.of()))) {
                        List<String> instruments = iv ? List.of("treatCopy") : List.of();
                        List<String> controls = iv ? (method.equals("wald") ? List.of()
                                : covariates.stream().filter(c -> !c.equals("treatCopy")).toList()) : covariates;
                        EstimationSpec spec = new EstimationSpec(method, null, "treat", "re78", controls, instruments,
                                List.of(), null, options);
                        try {
                            ENGINE.estimate(data, spec, ProgressListener.NONE);
                        } catch (InvalidSpecException e) {
                            forAnalyst(e.getMessage());
                            refused++;
                        } catch (RuntimeException e) {
                            fail(method + " " + covariates + " " + options + " on " + data.rowCount() + " rows escaped as "
                                    + e);
                        }
                    }
                }
            }
        }
        assertTrue(refused > 0);
    }

    @Test
    void collinearCovariatesAreNamedWithWhatToDo() {
        double[] age = Frames.nsw("age");
        double[] educ = Frames.nsw("educ");
        double[] sum = new double[age.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = 2 * age[i] - educ[i] + 3;
        }
        DataFrame d = Frames.nswWith(Column.numeric("x2", sum));
        for (String method : List.of("regression", "ipw", "aipw", "matching")) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ENGINE.estimate(d,
                    EstimationSpec.of(method, null, "treat", "re78", List.of("age", "educ", "x2"), Map.of()),
                    ProgressListener.NONE));
            forAnalyst(e.getMessage());
            assertTrue(e.getMessage().contains("'x2'") && e.getMessage().contains("'age'")
                    && e.getMessage().contains("'educ'") && e.getMessage().contains("drop"), e.getMessage());
        }
    }

    /**
     * A numerical failure that escapes an estimator (only a matrix index to go by) still reaches the caller as a
     * request error naming the request's columns: each of the engine's own exception types, thrown by a stand-in.
     */
    @Test
    void numericalFailuresThatEscapeAnEstimatorAreTranslated() {
        List<RuntimeException> failures = List.of(new RankDeficientException(1, new double[]{2.0}),
                separation());
        for (RuntimeException failure : failures) {
            CausalEngine engine = CausalEngine.builder().register(throwing(failure)).build();
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> engine.estimate(Frames.nsw(),
                    EstimationSpec.of("throwing", null, "treat", "re78", List.of("age", "educ"), Map.of()),
                    ProgressListener.NONE));
            forAnalyst(e.getMessage());
            assertTrue(e.getMessage().contains("'age'") && e.getMessage().contains("'educ'"), e.getMessage());
            assertEquals("covariates", e.field());
        }
    }

    /** Schema-time refusals, including the DAG's, are in the analyst's words too. */
    @Test
    void validationMessagesHaveNoInternals() {
        Map<String, ColumnType> schema = new LinkedHashMap<>();
        schema.put("t", ColumnType.BINARY);
        schema.put("dose", ColumnType.NUMERIC);
        schema.put("y", ColumnType.NUMERIC);
        schema.put("x", ColumnType.NUMERIC);
        schema.put("g", ColumnType.CATEGORICAL);
        List<EstimationSpec> bad = new ArrayList<>(List.of(
                EstimationSpec.of("ipw", null, "dose", "y", List.of("x"), Map.of()),
                EstimationSpec.of("ipw", null, "t", "y", List.of("nope"), Map.of()),
                EstimationSpec.of("ipw", null, "g", "y", List.of("x"), Map.of()),
                EstimationSpec.of("magic", null, "t", "y", List.of("x"), Map.of()),
                EstimationSpec.of("ipw", "LATE", "t", "y", List.of("x"), Map.of()),
                EstimationSpec.of("ipw", null, "t", "y", List.of("x"), Map.of("trim", "lots")),
                EstimationSpec.of("ipw", null, "t", "y", List.of("x"), Map.of("bootstrap", List.of(1, 2))),
                EstimationSpec.of("regression", null, "t", "y", List.of("t"), Map.of())));
        bad.add(new EstimationSpec("ipw", null, "t", "y", List.of(), List.of(), List.of(), "dag { t -> y; y -> t }", Map.of()));
        bad.add(new EstimationSpec("ipw", null, "t", "y", List.of(), List.of(), List.of(), "dag { t -> ", Map.of()));
        bad.add(new EstimationSpec("ipw", null, "t", "y", List.of(), List.of(), List.of(), "{\"nodes\": 3}", Map.of()));
        for (EstimationSpec spec : bad) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema, spec),
                    spec::toString);
            forAnalyst(e.getMessage());
            assertTrue(e.field() != null, spec::toString);
        }
    }

    @Test
    void aNumericTreatmentIsRefusedAtValidationByItsDeclaredTypeWhereABinaryOneIsNeeded() {
        Map<String, ColumnType> schema = Map.of("t", ColumnType.BINARY, "dose", ColumnType.NUMERIC,
                "y", ColumnType.NUMERIC, "x", ColumnType.NUMERIC);
        for (String method : List.of("difference-in-means", "ipw", "aipw", "matching")) {
            InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ENGINE.validate(schema,
                    EstimationSpec.of(method, null, "dose", "y", List.of("x"), Map.of())));
            assertEquals("treatment", e.field());
            for (String s : List.of("'dose'", "numeric", "binary", method)) {
                assertTrue(e.getMessage().contains(s), () -> s + " not in " + e.getMessage());
            }
        }
        ENGINE.validate(schema, EstimationSpec.of("regression", null, "dose", "y", List.of("x"), Map.of()));
        ENGINE.validate(schema, EstimationSpec.of("ipw", null, "t", "y", List.of("x"), Map.of()));
    }

    private static RuntimeException separation() {
        // the engine's logistic fit on separated data: the exception it throws, not a hand-made one
        try {
            java.lang.reflect.Method fit = Class.forName("io.counterfact.engine.po.LogisticRegression")
                    .getDeclaredMethod("fit", double[][].class, double[].class);
            fit.setAccessible(true);
            double[] one = new double[20];
            double[] x = new double[20];
            double[] t = new double[20];
            for (int i = 0; i < 20; i++) {
                one[i] = 1;
                x[i] = i;
                t[i] = i < 10 ? 0 : 1;
            }
            fit.invoke(null, new double[][]{one, x}, t);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                return r;
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no separation on separated data");
    }

    private static Estimator throwing(RuntimeException failure) {
        return new Estimator() {
            @Override
            public String method() {
                return "throwing";
            }

            @Override
            public List<String> estimands() {
                return List.of("ATE");
            }

            @Override
            public List<OptionSpec> options() {
                return List.of();
            }

            @Override
            public EstimationResult estimate(DataFrame data, EstimationSpec spec, Options options,
                                             ProgressListener progress) {
                throw failure;
            }
        };
    }
}
