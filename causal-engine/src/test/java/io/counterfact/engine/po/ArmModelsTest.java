package io.counterfact.engine.po;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.ProgressListener;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.counterfact.engine.testing.Reference.assertClose;

/**
 * The arm-wise outcome models fitted on the full columns with the treatment (and the trimming) as
 * a row selector give the fits on each arm's rows alone, and AIPW given the propensity reproduces
 * the estimator.
 */
class ArmModelsTest {

    private static DesignMatrix nsw() {
        return DesignMatrix.builder(Frames.nsw()).treatment("treat", true, "aipw").outcome("re78")
                .covariates(Arrays.asList(Reference.NSW_COVARIATES)).build();
    }

    @ParameterizedTest(name = "trim={0}")
    @CsvSource({"0", "0.1"})
    void armFitsEqualOlsOnEachArmsRows(double trim) {
        DesignMatrix dm = nsw();
        double[][] x = dm.interceptAndCovariates();
        double[] t = dm.treatment();
        double[] y = dm.outcome();
        boolean[] keep = trim > 0 ? Overlap.keep(LogisticRegression.fit(x, t).fitted(), t, trim) : null;
        ArmModels arms = ArmModels.fit(x, t, y, keep, null, dm.terms(true, false), "");
        double[][] m = arms.predict(x);
        for (int arm = 0; arm < 2; arm++) {
            int count = 0;
            for (int i = 0; i < t.length; i++) {
                if ((keep == null || keep[i]) && t[i] == arm) {
                    count++;
                }
            }
            int[] rows = new int[count];
            int k = 0;
            for (int i = 0; i < t.length; i++) {
                if ((keep == null || keep[i]) && t[i] == arm) {
                    rows[k++] = i;
                }
            }
            OlsFit ols = Ols.fit(Overlap.take(x, rows), Overlap.take(y, rows));
            double[] b = ols.coefficients();
            for (int j = 0; j < b.length; j++) {
                assertClose(b[j], arms.coefficients[arm][j], 1e-9, "arm " + arm + " coefficient " + j);
            }
            double[] predicted = ols.predict(x);
            for (int i = 0; i < t.length; i++) {
                assertClose(predicted[i], m[1 - arm][i], 1e-9, "arm " + arm + " prediction " + i);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void withoutAnInterceptNothingIsShifted() {
        DesignMatrix dm = nsw();
        double[][] x = dm.covariates();
        double[] t = dm.treatment();
        double[] y = dm.outcome();
        ArmModels arms = ArmModels.fit(x, t, y, null, null, dm.covariateTerms(), "");
        for (int arm = 0; arm < 2; arm++) {
            int count = 0;
            for (double v : t) {
                count += v == arm ? 1 : 0;
            }
            int[] rows = new int[count];
            int k = 0;
            for (int i = 0; i < t.length; i++) {
                if (t[i] == arm) {
                    rows[k++] = i;
                }
            }
            double[] b = Ols.fit(Overlap.take(x, rows), Overlap.take(y, rows)).coefficients();
            for (int j = 0; j < b.length; j++) {
                assertClose(b[j], arms.coefficients[arm][j], 1e-9, "arm " + arm + " coefficient " + j);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ATE", "ATT", "ATC"})
    void givenPropensityReproducesTheEstimator(String estimand) {
        DesignMatrix dm = nsw();
        double[][] x = dm.interceptAndCovariates();
        double[] e = LogisticRegression.fit(x, dm.treatment()).fitted();
        AugmentedIpw.Effect given = AugmentedIpw.givenPropensity(x, dm.treatment(), dm.outcome(), e, estimand);
        EstimationResult full = CausalEngine.standard().estimate(Frames.nsw(), EstimationSpec.of("aipw", estimand,
                "treat", "re78", List.of(Reference.NSW_COVARIATES), Map.of()), ProgressListener.NONE);
        assertClose(full.estimate(), given.estimate(), 1e-10, estimand);
        assertClose(full.stdError(), given.se(), 1e-10, estimand + " se");
    }
}
