package io.counterfact.engine.robustness;

import io.counterfact.engine.EstimationResult;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * E-values (VanderWeele and Ding, Ann Intern Med 2017): the minimum strength of association, on
 * the risk-ratio scale, that an unmeasured confounder would need with both the treatment and the
 * outcome, beyond the covariates, to explain away the estimate (or to move the confidence interval
 * to include the null). For a risk ratio RR ≥ 1, E = RR + √(RR(RR − 1)); for RR < 1 the same of
 * 1/RR. For the interval, the bound closest to the null: E of it, or 1 when the interval includes
 * the null.
 *
 * <p>The engine's estimates are differences, so they are first put on the risk-ratio scale:
 * <ul>
 *   <li>a binary (0/1) outcome: the estimate is a risk difference, turned into a risk ratio against
 *       the baseline risk of the arms' outcome means: (p0 + RD)/p0 with p0 the control arm's mean
 *       (ATE, ATC) or, for the ATT, the treated arm's mean minus the ATT (their untreated risk the
 *       estimate implies). The interval's bounds are converted with the same p0.</li>
 *   <li>any other outcome: the standardised mean difference approximation RR ≈ exp(0.91·d) with
 *       d = estimate / sd(outcome) (VanderWeele and Ding's conversion for continuous outcomes),
 *       the bounds likewise. sd is the outcome's sample standard deviation over the rows used,
 *       which is at least the within-arm one: a smaller d, so a conservative (smaller) E-value.</li>
 * </ul>
 *
 * <p>Given only for a binary treatment and not for the IV methods (estimand LATE): a numeric
 * treatment's slope has no natural contrast, and an IV estimate rests on the exclusion restriction,
 * not on the absence of unmeasured confounding.
 */
public final class EValues {

    /** VanderWeele and Ding's factor from a standardised mean difference to a log risk ratio. */
    public static final double SMD_TO_LOG_RR = 0.91;

    private EValues() {
    }

    /** The E-value of a risk ratio (RR and 1/RR have the same one). @throws IllegalArgumentException unless RR > 0 */
    public static double ofRiskRatio(double rr) {
        if (!(rr > 0) || Double.isInfinite(rr)) {
            throw new IllegalArgumentException("a risk ratio must be positive and finite, got " + rr);
        }
        double r = rr < 1 ? 1 / rr : rr;
        return r + Math.sqrt(r * (r - 1));
    }

    /**
     * The E-value of the interval's bound closest to the null: 1 when the interval [lower, upper]
     * includes RR = 1, else that of the bound on the estimate's side nearer to 1.
     */
    public static double ofInterval(double rr, double lower, double upper) {
        if (lower <= 1 && upper >= 1) {
            return 1.0;
        }
        return ofRiskRatio(rr >= 1 ? lower : upper);
    }

    /**
     * {@code diagnostics.eValue} for a result: {@code estimate}, {@code ciBound}, the {@code scale}
     * used ({@code risk-difference} or {@code standardized-mean-difference}), the {@code riskRatio}
     * and its interval, and the baseline risk or outcome sd; empty where no E-value applies (see the
     * class comment) or the conversion is undefined (a zero baseline risk, a risk ratio ≤ 0).
     */
    public static Optional<Map<String, Object>> forResult(DataFrame data, EstimationSpec spec, EstimationResult result) {
        if ("LATE".equals(result.estimand())) {
            return Optional.empty();
        }
        List<String> used = Refutations.usedColumns(spec);
        int[] rows = DesignMatrix.completeRows(data, used);
        if (rows.length < 2 || !Double.isFinite(result.estimate())) {
            return Optional.empty();
        }
        double[] t = data.column(spec.treatment()).values();
        double[] y = data.column(spec.outcome()).values();
        boolean binaryOutcome = true;
        double sum1 = 0;
        double sum0 = 0;
        double treated = 0;
        // |t(1 − t)| is 0 exactly for t = 0 or 1 (and y(1 − y) for y): no branch on the treatment
        double nonBinaryTreatment = 0;
        for (int r : rows) {
            double tr = t[r];
            double yr = y[r];
            nonBinaryTreatment += Math.abs(tr * (1 - tr));
            sum1 += tr * yr;
            sum0 += (1 - tr) * yr;
            treated += tr;
            binaryOutcome &= yr * (1 - yr) == 0;
        }
        if (!(nonBinaryTreatment == 0)) {
            return Optional.empty();
        }
        int n1 = (int) treated;
        int n0 = rows.length - n1;
        if (n1 == 0 || n0 == 0) {
            return Optional.empty();
        }
        double est = result.estimate();
        double lower;
        double upper;
        double rr;
        Map<String, Object> m = new LinkedHashMap<>();
        if (binaryOutcome) {
            double p0 = "ATT".equals(result.estimand()) ? sum1 / n1 - est : sum0 / n0;
            if (!(p0 > 0)) {
                return Optional.empty();
            }
            rr = (p0 + est) / p0;
            lower = (p0 + result.ciLower()) / p0;
            upper = (p0 + result.ciUpper()) / p0;
            m.put("scale", "risk-difference");
            m.put("baselineRisk", p0);
        } else {
            double mean = 0;
            for (int r : rows) {
                mean += y[r];
            }
            mean /= rows.length;
            double ss = 0;
            for (int r : rows) {
                ss += (y[r] - mean) * (y[r] - mean);
            }
            double sd = Math.sqrt(ss / (rows.length - 1));
            if (!(sd > 0)) {
                return Optional.empty();
            }
            rr = Math.exp(SMD_TO_LOG_RR * est / sd);
            lower = Math.exp(SMD_TO_LOG_RR * result.ciLower() / sd);
            upper = Math.exp(SMD_TO_LOG_RR * result.ciUpper() / sd);
            m.put("scale", "standardized-mean-difference");
            m.put("sdOutcome", sd);
        }
        // a risk difference beyond the baseline makes a risk ratio ≤ 0: no E-value for it
        if (!(rr > 0) || !Double.isFinite(rr)) {
            return Optional.empty();
        }
        // a bound ≤ 0 lies on the far side of the null, where the interval already includes RR = 1
        double e = ofRiskRatio(rr);
        double eci = ofInterval(rr, lower, upper);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("estimate", e);
        out.put("ciBound", eci);
        out.put("riskRatio", rr);
        // exp() of a far bound can overflow; JSON has no infinity
        out.put("riskRatioLower", Double.isFinite(lower) ? lower : null);
        out.put("riskRatioUpper", Double.isFinite(upper) ? upper : null);
        out.putAll(m);
        return Optional.of(out);
    }
}
