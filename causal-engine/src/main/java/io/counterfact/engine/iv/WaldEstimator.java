package io.counterfact.engine.iv;

import io.counterfact.engine.InvalidSpecException;
import org.apache.commons.math3.distribution.NormalDistribution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Wald estimator for a binary instrument z: the reduced-form difference ρ = E[y | z=1] −
 * E[y | z=0] over the first-stage difference π = E[d | z=1] − E[d | z=0]. It equals 2SLS with an
 * intercept and z as the only instrument (the LATE for a binary treatment under monotonicity).
 *
 * <p>Standard error by the delta method: Var(ρ̂/π̂) ≈ Σ_g s²_g(y − βd)/(n_g π²) over the two arms g,
 * with s² the arm's sample variance (n_g − 1 denominator) of y − βd; that is Var(ρ̂) − 2βCov(ρ̂, π̂)
 * + β²Var(π̂), all over π², with each arm's moments estimated separately (heteroskedasticity-robust,
 * like Welch's difference in means). The interval is normal.
 *
 * <p>A first stage of exactly zero (z does not move d at all) makes the ratio undefined: an
 * {@link InvalidSpecException} naming the instrument. A weak one (F = (π̂/se(π̂))² below 10) gives a
 * warning naming it.
 */
public final class WaldEstimator {

    private WaldEstimator() {
    }

    /**
     * The result.
     *
     * @param reducedForm       ρ̂, the outcome's difference between the instrument's arms
     * @param reducedFormSe     its Welch standard error
     * @param firstStage        π̂, the treatment's difference
     * @param firstStageSe      its Welch standard error
     * @param firstStageF       classical first-stage F, π̂²/(s²_pooled(1/n1 + 1/n0)): that of OLS of d on [1, z]
     * @param firstStageFRobust (π̂/se(π̂))² with the Welch standard error (HC2 of that OLS)
     * @param partialR2         the share of d's variance between the instrument's arms
     * @param n1                rows with z = 1
     * @param n0                rows with z = 0
     */
    public record Fit(double estimate, double stdError, double ciLower, double ciUpper, double confidenceLevel,
                      double reducedForm, double reducedFormSe, double firstStage, double firstStageSe,
                      double firstStageF, double firstStageFRobust, double partialR2, int n1, int n0,
                      String instrument, List<String> warnings) {

        public Fit {
            warnings = List.copyOf(warnings);
        }

        /** Either first-stage F below 10. */
        public boolean weak() {
            return Math.min(firstStageF, firstStageFRobust) < FirstStage.WEAK_F;
        }

        /** The API's diagnostics: {@code firstStage} [{regressor, F, FRobust, partialR2, weak}] and the two differences. */
        public Map<String, Object> diagnostics(String treatment) {
            Map<String, Object> fs = new LinkedHashMap<>();
            fs.put("regressor", treatment);
            // JSON has no infinity: full compliance (d = z) leaves no first-stage error and reports null
            fs.put("F", Double.isFinite(firstStageF) ? firstStageF : null);
            fs.put("FRobust", Double.isFinite(firstStageFRobust) ? firstStageFRobust : null);
            fs.put("partialR2", partialR2);
            fs.put("weak", weak());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("firstStage", List.of(fs));
            d.put("reducedForm", Map.of("estimate", reducedForm, "stdError", reducedFormSe));
            d.put("firstStageDifference", Map.of("estimate", firstStage, "stdError", firstStageSe));
            d.put("arms", Map.of("instrument1", n1, "instrument0", n0));
            return d;
        }
    }

    /**
     * @param y          outcome
     * @param d          treatment (binary or numeric)
     * @param z          the instrument, 0/1
     * @param instrument the instrument's name, for messages
     * @throws InvalidSpecException (field {@code instruments[0]}) when z is not 0/1, an arm has fewer
     *                              than two rows, or the first stage is exactly zero
     */
    public static Fit estimate(double[] y, double[] d, double[] z, String instrument, double confidenceLevel) {
        int n = y.length;
        if (d.length != n || z.length != n) {
            throw new IllegalArgumentException("y, d and z must have the same length");
        }
        int n1 = 0;
        for (int i = 0; i < n; i++) {
            if (z[i] == 1) {
                n1++;
            } else if (z[i] != 0) {
                throw new InvalidSpecException("instruments[0]", "The Wald estimator needs a binary (0/1) instrument; '"
                        + instrument + "' has the value " + z[i] + " in row " + (i + 1) + "; use 2sls for other instruments");
            }
        }
        int n0 = n - n1;
        if (Math.min(n1, n0) < 2) {
            throw new InvalidSpecException("instruments[0]", "Instrument '" + instrument + "' has " + Math.min(n1, n0)
                    + " row(s) with value " + (n1 < n0 ? 1 : 0) + "; each arm needs at least two");
        }
        double[] m1 = means(y, d, z, 1, n1);
        double[] m0 = means(y, d, z, 0, n0);
        double rho = m1[0] - m0[0];
        double pi = m1[1] - m0[1];
        if (pi == 0) {
            throw new InvalidSpecException("instruments[0]", "Instrument '" + instrument + "' does not move the treatment:"
                    + " its mean is the same in both arms of the instrument, so the Wald ratio is undefined");
        }
        double beta = rho / pi;
        double[] c1 = moments(y, d, z, 1, m1);
        double[] c0 = moments(y, d, z, 0, m0);
        // c = {var y, cov(y, d), var d} per arm, n_g − 1 denominators
        double varRho = c1[0] / n1 + c0[0] / n0;
        double varPi = c1[2] / n1 + c0[2] / n0;
        double covRhoPi = c1[1] / n1 + c0[1] / n0;
        double var = (varRho - 2 * beta * covRhoPi + beta * beta * varPi) / (pi * pi);
        double se = Math.sqrt(Math.max(var, 0));
        double q = new NormalDistribution().inverseCumulativeProbability(0.5 + confidenceLevel / 2);
        double fRobust = pi * pi / varPi;
        double pooled = ((n1 - 1) * c1[2] + (n0 - 1) * c0[2]) / (n - 2);
        double f = pi * pi / (pooled * (1.0 / n1 + 1.0 / n0));
        double dMean = (n1 * m1[1] + n0 * m0[1]) / n;
        double between = n1 * (m1[1] - dMean) * (m1[1] - dMean) + n0 * (m0[1] - dMean) * (m0[1] - dMean);
        double partialR2 = between / (between + (n1 - 1) * c1[2] + (n0 - 1) * c0[2]);
        List<String> warnings = new ArrayList<>();
        if (Math.min(f, fRobust) < FirstStage.WEAK_F) {
            warnings.add(String.format(Locale.ROOT, "Weak instrument '%s': first-stage F = %.3g (robust %.3g) is below %.0f; "
                    + "the Wald estimate and its standard error are unreliable (read the Anderson-Rubin set, valid however weak the instrument)",
                    instrument, f, fRobust, FirstStage.WEAK_F));
        }
        return new Fit(beta, se, beta - q * se, beta + q * se, confidenceLevel, rho, Math.sqrt(varRho), pi,
                Math.sqrt(varPi), f, fRobust, partialR2, n1, n0, instrument, warnings);
    }

    private static double[] means(double[] y, double[] d, double[] z, int arm, int count) {
        double sy = 0;
        double sd = 0;
        for (int i = 0; i < y.length; i++) {
            if (z[i] == arm) {
                sy += y[i];
                sd += d[i];
            }
        }
        return new double[]{sy / count, sd / count};
    }

    private static double[] moments(double[] y, double[] d, double[] z, int arm, double[] mean) {
        double yy = 0;
        double yd = 0;
        double dd = 0;
        int count = 0;
        for (int i = 0; i < y.length; i++) {
            if (z[i] == arm) {
                double a = y[i] - mean[0];
                double b = d[i] - mean[1];
                yy += a * a;
                yd += a * b;
                dd += b * b;
                count++;
            }
        }
        return new double[]{yy / (count - 1), yd / (count - 1), dd / (count - 1)};
    }
}
