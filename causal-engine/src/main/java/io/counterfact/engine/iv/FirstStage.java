package io.counterfact.engine.iv;

import java.util.List;

/**
 * The first-stage regression of one endogenous regressor on the instrument set Z = [intercept,
 * exogenous controls, excluded instruments].
 *
 * @param regressor     the endogenous regressor
 * @param terms         Z's column names
 * @param coefficients  OLS coefficients on Z
 * @param seClassical   classical standard errors
 * @param seRobust      standard errors of the fit's covariance type
 * @param f             classical F of the excluded instruments: ((RSS_r − RSS_u)/m)/(RSS_u/(n − L)),
 *                      the restricted model without them
 * @param fRobust       Wald F of the excluded instruments with the fit's covariance type,
 *                      (Rγ)'(R V R')⁻¹(Rγ)/m (lmtest::waldtest with that vcov)
 * @param df1           m, the excluded instruments
 * @param df2           n − L
 * @param pValue        of the classical F
 * @param partialR2     (RSS_r − RSS_u)/RSS_r, the share of the regressor's variation left after the
 *                      controls that the excluded instruments explain
 * @param rSquared      R² of the first-stage regression
 * @param weak          F or FRobust below 10 (Staiger and Stock's rule of thumb)
 */
public record FirstStage(String regressor, List<String> terms, double[] coefficients, double[] seClassical,
                         double[] seRobust, double f, double fRobust, int df1, int df2, double pValue,
                         double partialR2, double rSquared, boolean weak) {

    /** Below this first-stage F an instrument set counts as weak. */
    public static final double WEAK_F = 10.0;

    public FirstStage {
        terms = List.copyOf(terms);
    }
}
