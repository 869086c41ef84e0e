package io.counterfact.engine.iv;

import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import org.apache.commons.math3.distribution.NormalDistribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A 2SLS fit from {@link TwoStageLeastSquares#fit}: coefficients in the order [intercept,
 * endogenous, exogenous], their covariance of any type, the first stages and the diagnostics.
 */
public final class IvFit {

    /** One row of the coefficient table. */
    public record Coefficient(String term, double estimate, double stdError) {
    }

    /**
     * Two-step efficient GMM (only computed when over-identified).
     *
     * @param coefficients    in the fit's term order
     * @param standardErrors  sqrt diag(((X'Z/n) S⁻¹ (Z'X/n))⁻¹/n)
     * @param j               Hansen's J
     */
    public record Gmm(double[] coefficients, double[] standardErrors, double j) {
    }

    private final List<String> terms;
    private final double[] coefficients;
    private final double[][] x;
    private final double[][] xhat;
    private final double[] residuals;
    private final double[][] bread;
    private final IvOptions options;
    private final List<FirstStage> firstStages;
    private final TestStatistic wuHausman;
    private final TestStatistic sargan;
    private final TestStatistic hansenJ;
    private final Gmm gmm;
    private final AndersonRubin andersonRubin;
    private final List<String> warnings;
    private final int n;
    private final int k;
    /** Σ uᵢ² x̂ᵢx̂ᵢ' when the fit computed it with its residuals (else null: formed on demand). */
    private final double[][] meatHc0;
    private ConfidenceSet arSet;
    private double[] optionSe;

    IvFit(List<String> terms, double[] coefficients, double[][] x, double[][] xhat, double[] residuals,
          double[][] bread, IvOptions options, List<FirstStage> firstStages, TestStatistic wuHausman,
          TestStatistic sargan, TestStatistic hansenJ, Gmm gmm, AndersonRubin andersonRubin, List<String> warnings) {
        this(terms, coefficients, x, xhat, residuals, bread, options, firstStages, wuHausman, sargan, hansenJ, gmm,
                andersonRubin, warnings, null);
    }

    IvFit(List<String> terms, double[] coefficients, double[][] x, double[][] xhat, double[] residuals,
          double[][] bread, IvOptions options, List<FirstStage> firstStages, TestStatistic wuHausman,
          TestStatistic sargan, TestStatistic hansenJ, Gmm gmm, AndersonRubin andersonRubin, List<String> warnings,
          double[][] meatHc0) {
        this.meatHc0 = meatHc0;
        this.terms = List.copyOf(terms);
        this.coefficients = coefficients;
        this.x = x;
        this.xhat = xhat;
        this.residuals = residuals;
        this.bread = bread;
        this.options = options;
        this.firstStages = List.copyOf(firstStages);
        this.wuHausman = wuHausman;
        this.sargan = sargan;
        this.hansenJ = hansenJ;
        this.gmm = gmm;
        this.andersonRubin = andersonRubin;
        this.warnings = List.copyOf(warnings);
        this.n = residuals.length;
        this.k = terms.size();
    }

    /** Term names: [intercept], endogenous, exogenous. */
    public List<String> terms() {
        return terms;
    }

    public double[] coefficients() {
        return coefficients.clone();
    }

    /** Structural residuals y − Xb. */
    public double[] residuals() {
        return residuals.clone();
    }

    public int n() {
        return n;
    }

    /** n − k. */
    public int dfResidual() {
        return n - k;
    }

    /** σ̂ = sqrt(u'u/(n − k)). */
    public double sigma() {
        return Math.sqrt(TwoStageLeastSquares.dot(residuals, residuals) / dfResidual());
    }

    public IvOptions options() {
        return options;
    }

    /** The coefficient covariance of the given type (see {@link TwoStageLeastSquares}). */
    public double[][] covariance(CovarianceType type) {
        if (type == CovarianceType.CLASSICAL) {
            double s2 = TwoStageLeastSquares.dot(residuals, residuals) / dfResidual();
            return Matrices.scale(copy(bread), s2);
        }
        if (meatHc0 != null && (type == CovarianceType.HC0 || type == CovarianceType.HC1)) {
            double[][] v = Matrices.sandwich(bread, meatHc0);
            if (type == CovarianceType.HC1) {
                Matrices.scale(v, (double) n / dfResidual());
            }
            return v;
        }
        double[] omega = new double[n];
        double[] h = type == CovarianceType.HC2 || type == CovarianceType.HC3 ? leverage() : null;
        for (int i = 0; i < n; i++) {
            double u2 = residuals[i] * residuals[i];
            if (type == CovarianceType.HC2) {
                u2 /= 1 - h[i];
            } else if (type == CovarianceType.HC3) {
                u2 /= (1 - h[i]) * (1 - h[i]);
            }
            omega[i] = u2;
        }
        double[][] v = Matrices.sandwich(bread, Gram.of(xhat, omega, null));
        if (type == CovarianceType.HC1) {
            Matrices.scale(v, (double) n / dfResidual());
        }
        return v;
    }

    public double[] standardErrors(CovarianceType type) {
        return Matrices.sqrtDiagonal(covariance(type));
    }

    /** Standard errors of the options' covariance type. */
    public double[] standardErrors() {
        if (optionSe == null) {
            optionSe = standardErrors(options.se());
        }
        return optionSe.clone();
    }

    /** hᵢ = xᵢ'(X̂'X̂)⁻¹x̂ᵢ, the diagonal of the 2SLS hat matrix X(X̂'X̂)⁻¹X̂' (it sums to k). */
    public double[] leverage() {
        double[] h = new double[n];
        double[] xi = new double[k];
        double[] xhi = new double[k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                xi[j] = x[j][i];
                xhi[j] = xhat[j][i];
            }
            double s = 0;
            for (int a = 0; a < k; a++) {
                double row = 0;
                for (int b = 0; b < k; b++) {
                    row += bread[a][b] * xhi[b];
                }
                s += xi[a] * row;
            }
            h[i] = s;
        }
        return h;
    }

    /** Index of the first endogenous regressor (the treatment) among the terms. */
    private int treatmentIndex() {
        return options.intercept() ? 1 : 0;
    }

    /** The treatment's coefficient. */
    public double estimate() {
        return coefficients[treatmentIndex()];
    }

    /** The treatment's standard error, of the options' covariance type. */
    public double stdError() {
        return standardErrors()[treatmentIndex()];
    }

    /** Normal-theory confidence interval of the treatment's coefficient at the options' level. */
    public double[] confidenceInterval() {
        double z = new NormalDistribution().inverseCumulativeProbability(0.5 + options.confidenceLevel() / 2);
        double se = stdError();
        return new double[]{estimate() - z * se, estimate() + z * se};
    }

    /** The coefficient table with the options' standard errors. */
    public List<Coefficient> coefficientTable() {
        double[] se = standardErrors();
        List<Coefficient> out = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            out.add(new Coefficient(terms.get(j), coefficients[j], se[j]));
        }
        return out;
    }

    /** One first stage per endogenous regressor, in their order. */
    public List<FirstStage> firstStages() {
        return firstStages;
    }

    /**
     * AER's Wu-Hausman F test of the regressors' exogeneity; empty when the instruments reproduce an
     * endogenous regressor exactly (nothing to test).
     */
    public Optional<TestStatistic> wuHausman() {
        return Optional.ofNullable(wuHausman);
    }

    /** Sargan's n·R² over-identification test; empty when exactly identified. */
    public Optional<TestStatistic> sargan() {
        return Optional.ofNullable(sargan);
    }

    /** Hansen's J from two-step GMM; empty when exactly identified. */
    public Optional<TestStatistic> hansenJ() {
        return Optional.ofNullable(hansenJ);
    }

    /** Two-step GMM; empty when exactly identified. */
    public Optional<Gmm> gmm() {
        return Optional.ofNullable(gmm);
    }

    /**
     * The Anderson-Rubin confidence set of the treatment's coefficient at the options' level and
     * covariance type; empty with more than one endogenous regressor.
     */
    public Optional<ConfidenceSet> andersonRubin() {
        if (andersonRubin == null) {
            return Optional.empty();
        }
        if (arSet == null) {
            arSet = andersonRubin.confidenceSet(options.confidenceLevel(), estimate(), stdError());
        }
        return Optional.of(arSet);
    }

    /** The Anderson-Rubin statistic (F form) for H0: treatment coefficient = beta0; NaN with more than one endogenous regressor. */
    public double andersonRubinStatistic(double beta0) {
        return andersonRubin == null ? Double.NaN : andersonRubin.statistic(beta0);
    }

    /** The Anderson-Rubin set inverted over a grid, whatever the case (to check the exact solution). */
    ConfidenceSet andersonRubinByGrid() {
        return andersonRubin.byGrid(options.confidenceLevel(), estimate(), stdError());
    }

    /** Weak-instrument warnings, each naming the regressor and the instruments. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The API's {@code diagnostics} for 2SLS: {@code firstStage} [{regressor, F, FRobust,
     * partialR2, weak}], {@code wuHausman}, {@code sargan} and {@code hansenJ} (over-identified
     * only) as {statistic, df, pValue}, {@code andersonRubin} {ciLower, ciUpper, bounded} (one
     * endogenous regressor only), and {@code se}, the covariance type used.
     */
    public Map<String, Object> diagnostics() {
        Map<String, Object> d = new LinkedHashMap<>();
        List<Map<String, Object>> fs = new ArrayList<>();
        for (FirstStage f : firstStages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("regressor", f.regressor());
            // JSON has no infinity: an exact first stage (partialR2 = 1) reports its F statistics as null
            m.put("F", finiteOrNull(f.f()));
            m.put("FRobust", finiteOrNull(f.fRobust()));
            m.put("partialR2", f.partialR2());
            m.put("weak", f.weak());
            m.put("df1", f.df1());
            m.put("df2", f.df2());
            fs.add(m);
        }
        d.put("firstStage", fs);
        wuHausman().ifPresent(s -> d.put("wuHausman", s.toMap()));
        sargan().ifPresent(s -> d.put("sargan", s.toMap()));
        hansenJ().ifPresent(s -> d.put("hansenJ", s.toMap()));
        andersonRubin().ifPresent(s -> d.put("andersonRubin", s.toMap()));
        d.put("se", options.se().apiName());
        return d;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
