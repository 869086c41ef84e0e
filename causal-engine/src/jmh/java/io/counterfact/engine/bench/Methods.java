package io.counterfact.engine.bench;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.iv.IvFit;
import io.counterfact.engine.iv.IvOptions;
import io.counterfact.engine.iv.Regressors;
import io.counterfact.engine.iv.TwoStageLeastSquares;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Matrices;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import io.counterfact.engine.po.AugmentedIpw;
import io.counterfact.engine.po.InverseProbabilityWeighting;
import io.counterfact.engine.po.LogisticRegression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's side of each method time_py.py times, returning the same keys as time_py.py's
 * {@code result}. The benchmarks, their result checks and the one-shot memory runs all call these,
 * so what is checked is exactly what is timed.
 */
public final class Methods {

    /**
     * Every method, in the table's order; the names are time_py.py's, plus engine-only variants compared with the
     * same peer: {@code logit_plus_aipw_kernels} (no facade), {@code np_2sls_hc1_facade} (through the facade) and
     * {@code np_2sls_hc1_lean} (not an engine code path: see {@link #np2slsHc1Lean}).
     */
    public static final List<String> ALL = List.of("sm_ols_hc1", "sm_logit", "np_ipw", "np_aipw", "logit_plus_aipw",
            "logit_plus_aipw_kernels", "np_2sls_hc1", "np_2sls_hc1_facade", "sm_iv2sls",
            "np_2sls_hc1_lean", "np_2sls_hc1_nodiag");

    private static final CausalEngine ENGINE = CausalEngine.standard();

    private Methods() {
    }

    /** The python method whose result and timing a method is compared with. */
    public static String peerOf(String method) {
        if (method.equals("logit_plus_aipw_kernels")) {
            return "logit_plus_aipw";
        }
        for (String suffix : List.of("_facade", "_lean", "_nodiag")) {
            if (method.endsWith(suffix)) {
                return method.substring(0, method.length() - suffix.length());
            }
        }
        return method;
    }

    /** Whether a method runs on iv.bin (else obs.bin). */
    public static boolean usesIv(String method) {
        return method.contains("2sls");
    }

    /** Inputs on the observational data, built once per trial (not timed). */
    public static final class ObsInputs {
        public final SynthData.Obs d;
        public final List<String> covariates = SynthData.covariateNames();
                /** The same columns as a DataFrame (arrays shared, not copied), for the facade. */
        public final DataFrame frame;
        public final EstimationSpec aipwSpec;
        /** The propensity model, fitted by the engine before the timed region (np_ipw, np_aipw). */
        public LogisticRegression.Fit propensity;

        public ObsInputs(SynthData.Obs d) {
            this.d = d;
            List<Column> cols = new ArrayList<>();
            cols.add(Column.numeric("y", d.y));
            cols.add(Column.binary("t", d.t));
            for (int j = 0; j < covariates.size(); j++) {
                cols.add(Column.numeric(covariates.get(j), d.x[j]));
            }
            frame = DataFrame.of(cols);
            // method defaults: arm-wise outcome models, no trimming, no cross-fitting
            aipwSpec = EstimationSpec.of("aipw", "ATE", "t", "y", covariates, Map.of());
        }

        /** Fits the propensity given to np_ipw and np_aipw (time_py.py uses statsmodels' fit there). */
        public ObsInputs withPropensity() {
            propensity = LogisticRegression.fit(d.x1, d.t);
            return this;
        }
    }

    /** OLS of y on [1, t, x] with HC1 standard errors: Ols.fit + OlsFit.standardErrors(HC1). */
    public static Map<String, Double> smOlsHc1(ObsInputs in) {
        OlsFit fit = Ols.fit(in.d.xt, in.d.y);
        double[] se = fit.standardErrors(CovarianceType.HC1);
        double[] b = fit.coefficients();
        return result("coef_t", b[1], "se_hc1_t", se[1]);
    }

    /** Logistic regression of t on [1, x]: LogisticRegression.fit (IRLS; also computes the covariance). */
    public static Map<String, Double> smLogit(ObsInputs in) {
        LogisticRegression.Fit fit = LogisticRegression.fit(in.d.x1, in.d.t);
        double[] b = fit.coefficients();
        return result("coef_intercept", b[0], "coef_x1", b[1], "iterations", fit.iterations());
    }

    /**
     * IPW given e: the engine's entry point for a given propensity, InverseProbabilityWeighting.givenPropensity, for
     * the ATE and the ATT (Hajek weights) with the known-propensity SE, in one call as time_py.py computes them.
     */
    public static Map<String, Double> npIpw(ObsInputs in) {
        List<InverseProbabilityWeighting.GivenPropensity> r = InverseProbabilityWeighting.givenPropensity(in.d.y,
                in.d.t, in.propensity.fitted(), true, "ATE", "ATT");
        return result("ate_hajek", r.get(0).estimate(), "ate_se_ps_known", r.get(0).stdError(),
                "att_hajek", r.get(1).estimate());
    }

    /**
     * AIPW given e: the engine's entry point for a given propensity, AugmentedIpw.givenPropensity (arm-wise OLS outcome
     * models on [1, x], the influence-function SE), as time_py.py computes it.
     */
    public static Map<String, Double> npAipw(ObsInputs in) {
        AugmentedIpw.Effect r = AugmentedIpw.givenPropensity(in.d.x1, in.d.t, in.d.y, in.propensity.fitted(), "ATE");
        return result("ate", r.estimate(), "se_if", r.se());
    }

    /** Propensity fit + AIPW end to end through the facade: CausalEngine.estimate on a DataFrame, method aipw. */
    public static Map<String, Double> logitPlusAipw(ObsInputs in) {
        EstimationResult r = ENGINE.estimate(in.frame, in.aipwSpec, null);
        return result("ate", r.estimate(), "se_if", r.stdError());
    }

    /** Propensity fit + AIPW on the engine's classes without the facade (no DesignMatrix, no diagnostics). */
    public static Map<String, Double> logitPlusAipwKernels(ObsInputs in) {
        LogisticRegression.Fit ps = LogisticRegression.fit(in.d.x1, in.d.t);
        AugmentedIpw.Effect r = AugmentedIpw.givenPropensity(in.d.x1, in.d.t, in.d.y, ps.fitted(), "ATE");
        return result("ate", r.estimate(), "se_if", r.se());
    }

    /** 2SLS of y on [1, d, x] instrumented by [1, z, x], HC1 (the API's default) and classical SEs. */
    public static Map<String, Double> np2slsHc1(SynthData.Iv d) {
        IvFit fit = tsls(d, IvOptions.defaults());
        return result("coef_d", fit.estimate(), "se_hc1_d", fit.standardErrors(CovarianceType.HC1)[1],
                "se_classical_d", fit.standardErrors(CovarianceType.CLASSICAL)[1]);
    }

    /**
     * np_2sls_hc1 with {@code IvOptions.withDiagnostics(false)}: the same estimate and HC1/classical standard
     * errors, without the robust first-stage F, Wu-Hausman and Anderson-Rubin (what the numpy peer computes).
     */
    public static Map<String, Double> np2slsHc1NoDiagnostics(SynthData.Iv d) {
        IvFit fit = tsls(d, IvOptions.defaults().withDiagnostics(false));
        return result("coef_d", fit.estimate(), "se_hc1_d", fit.standardErrors(CovarianceType.HC1)[1],
                "se_classical_d", fit.standardErrors(CovarianceType.CLASSICAL)[1]);
    }

    /** 2SLS as statsmodels' IV2SLS: classical SEs (so the robust first-stage F and AR set are classical too). */
    public static Map<String, Double> smIv2sls(SynthData.Iv d) {
        IvFit fit = tsls(d, IvOptions.defaults().withSe(CovarianceType.CLASSICAL));
        return result("coef_d", fit.estimate(), "se_classical_d", fit.stdError());
    }

    /** The IV data as a DataFrame (arrays shared, not copied) and the facade's 2sls request (se HC1, the default). */
    public static final class IvInputs {
        public final SynthData.Iv d;
        public final DataFrame frame;
        public final EstimationSpec spec;
        /** [1, x1..x20, z], the instruments with the intercept (for the lean variant). */
        public final double[][] z1;

        public IvInputs(SynthData.Iv d) {
            this.d = d;
            double[] ones = new double[d.y.length];
            java.util.Arrays.fill(ones, 1.0);
            z1 = new double[SynthData.P + 2][];
            z1[0] = ones;
            System.arraycopy(d.x, 0, z1, 1, SynthData.P);
            z1[SynthData.P + 1] = d.z;
            List<String> covariates = SynthData.covariateNames();
            List<Column> cols = new ArrayList<>();
            cols.add(Column.numeric("y", d.y));
            cols.add(Column.binary("d", d.d));
            cols.add(Column.binary("z", d.z));
            for (int j = 0; j < covariates.size(); j++) {
                cols.add(Column.numeric(covariates.get(j), d.x[j]));
            }
            frame = DataFrame.of(cols);
            spec = new EstimationSpec("2sls", "LATE", "d", "y", covariates, List.of("z"), List.of(), null, Map.of());
        }
    }

    /** np_2sls_hc1 end to end through the facade: CausalEngine.estimate on a DataFrame, method 2sls (its diagnostics too). */
    public static Map<String, Double> np2slsHc1Facade(IvInputs in) {
        EstimationResult r = ENGINE.estimate(in.frame, in.spec, null);
        return result("coef_d", r.estimate(), "se_hc1_d", r.stdError());
    }

    /**
     * NOT an engine code path: the bare 2SLS with HC1 and classical SEs composed of the engine's public linalg
     * kernels (first stage Ols.fit on Z, second stage Ols.fit on X̂, one weighted Gram for the HC1 meat), without
     * TwoStageLeastSquares' diagnostics (first stage on the controls alone, robust first-stage F, Wu-Hausman,
     * Anderson-Rubin). It shows what the diagnostics cost and what a 2SLS on these kernels can reach.
     */
    public static Map<String, Double> np2slsHc1Lean(IvInputs in) {
        int n = in.d.y.length;
        int k = in.z1.length;
        double[] dHat = Ols.fit(in.z1, in.d.d).fitted();
        double[][] xHat = in.z1.clone();
        xHat[k - 1] = dHat;  // [1, x, d̂]
        OlsFit second = Ols.fit(xHat, in.d.y);
        double[] b = second.coefficients();
        double[][] bread = second.xtxInverse();
        double[][] x = in.z1.clone();
        x[k - 1] = in.d.d;  // structural residuals use the actual d
        double[] u = in.d.y.clone();
        double[] fit = Gram.combine(x, null, b);
        double uu = 0;
        for (int i = 0; i < n; i++) {
            u[i] -= fit[i];
            uu += u[i] * u[i];
            u[i] *= u[i];
        }
        double[][] v = Matrices.scale(Matrices.sandwich(bread, Gram.of(xHat, u, null)), (double) n / (n - k));
        return result("coef_d", b[k - 1], "se_hc1_d", Math.sqrt(v[k - 1][k - 1]),
                "se_classical_d", Math.sqrt(uu / (n - k) * bread[k - 1][k - 1]));
    }

    private static IvFit tsls(SynthData.Iv d, IvOptions options) {
        return TwoStageLeastSquares.fit(d.y, Regressors.of("d", d.d), Regressors.of(SynthData.covariateNames(), d.x),
                Regressors.of("z", d.z), options);
    }

    /** Runs a method by name (for the one-shot memory runs). */
    public static Map<String, Double> run(String method, ObsInputs obs, IvInputs iv) {
        return switch (method) {
            case "sm_ols_hc1" -> smOlsHc1(obs);
            case "sm_logit" -> smLogit(obs);
            case "np_ipw" -> npIpw(obs);
            case "np_aipw" -> npAipw(obs);
            case "logit_plus_aipw" -> logitPlusAipw(obs);
            case "logit_plus_aipw_kernels" -> logitPlusAipwKernels(obs);
            case "np_2sls_hc1" -> np2slsHc1(iv.d);
            case "np_2sls_hc1_facade" -> np2slsHc1Facade(iv);
            case "sm_iv2sls" -> smIv2sls(iv.d);
            case "np_2sls_hc1_lean" -> np2slsHc1Lean(iv);
            case "np_2sls_hc1_nodiag" -> np2slsHc1NoDiagnostics(iv.d);
            default -> throw new IllegalArgumentException("unknown method " + method + "; one of " + ALL);
        };
    }

    /** Whether a method is given a propensity fitted beforehand. */
    public static boolean needsPropensity(String method) {
        return method.equals("np_ipw") || method.equals("np_aipw");
    }

    private static Map<String, Double> result(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        }
        return m;
    }
}
