package io.counterfact.engine.po;

import io.counterfact.engine.EstimationResult.Coefficient;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.data.DesignMatrix.Term;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The propensity score: a logistic regression of the treatment on [1, covariates], with the
 * failures a user can act on turned into request errors (separation names the covariate).
 */
final class Propensity {

    final LogisticRegression.Fit fit;
    final double[][] x;
    final List<Term> terms;

    private Propensity(LogisticRegression.Fit fit, double[][] x, List<Term> terms) {
        this.fit = fit;
        this.x = x;
        this.terms = terms;
    }

    /** Fits the propensity model on all rows of the design. */
    static Propensity estimate(DesignMatrix dm) {
        return estimate(dm.interceptAndCovariates(), dm.treatment(), dm.terms(true, false),
                dm.treatmentTerm().column(), "");
    }

    /** Fits on given regressor columns; {@code context} says which rows (e.g. "outside cross-fitting fold 2"). */
    static Propensity estimate(double[][] x, double[] t, List<Term> terms, String treatment, String context) {
        try {
            return new Propensity(LogisticRegression.fit(x, t), x, terms);
        } catch (SeparationException e) {
            String where = context.isEmpty() ? "" : " " + context;
            if (e.column() < 0) {
                throw new InvalidSpecException("treatment", "No overlap" + where + ": treatment '" + treatment
                        + "' is perfectly predicted, so the propensity score is 0 or 1 for some units");
            }
            Term culprit = terms.get(e.column());
            throw new InvalidSpecException(culprit.field(), "No overlap" + where + ": perfect separation — covariate '"
                    + culprit.column() + "'" + (culprit.level() == null ? "" : " (level '" + culprit.level() + "')")
                    + " (almost) perfectly predicts treatment '" + treatment + "', so the propensity score is 0 or 1 for "
                    + Math.max(e.extremeUnits(), 1) + " units and the logistic fit has no maximum; drop or coarsen '"
                    + culprit.column() + "'", e);
        } catch (RankDeficientException e) {
            throw DesignMatrix.collinearity(e, x, terms, "in the propensity model" + (context.isEmpty() ? "" : " " + context));
        }
    }

    /** Fitted propensities (shared). */
    double[] scores() {
        return fit.fitted();
    }

    /** diagnostics.propensityModel: the logit's coefficients and fit statistics. */
    Map<String, Object> modelDiagnostics() {
        Map<String, Object> m = new LinkedHashMap<>();
        double[] b = fit.coefficients();
        double[] se = fit.standardErrors();
        List<Map<String, Object>> coefs = new ArrayList<>();
        for (int j = 0; j < b.length; j++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("term", terms.get(j).name());
            c.put("estimate", b[j]);
            c.put("stdError", se[j]);
            coefs.add(c);
        }
        m.put("coefficients", coefs);
        m.put("logLik", fit.logLik());
        m.put("deviance", fit.deviance());
        m.put("nullDeviance", fit.nullDeviance());
        m.put("aic", fit.aic());
        m.put("iterations", fit.iterations());
        return m;
    }

    /** The logit's coefficients as result rows. */
    List<Coefficient> coefficients() {
        double[] b = fit.coefficients();
        double[] se = fit.standardErrors();
        List<Coefficient> out = new ArrayList<>();
        for (int j = 0; j < b.length; j++) {
            out.add(new Coefficient(terms.get(j).name(), b[j], se[j]));
        }
        return out;
    }
}
