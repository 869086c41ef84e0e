/**
 * Instrumental variables on plain column arrays.
 *
 * <ul>
 *   <li>{@link io.counterfact.engine.iv.TwoStageLeastSquares#fit}: 2SLS with any number of
 *       endogenous regressors, exogenous controls (plus an intercept) and excluded instruments;
 *       classical and HC0–HC3 covariances; first stages with classical and robust F and partial
 *       R²; AER's Wu-Hausman; Sargan and Hansen's J with two-step GMM when over-identified; the
 *       Anderson-Rubin confidence set for one endogenous regressor. Returns an
 *       {@link io.counterfact.engine.iv.IvFit} whose {@code diagnostics()} is the API's shape.</li>
 *   <li>{@link io.counterfact.engine.iv.WaldEstimator#estimate}: the Wald ratio for a binary
 *       instrument with a delta-method standard error.</li>
 *   <li>{@link io.counterfact.engine.iv.TwoStageLeastSquaresMethod} and
 *       {@link io.counterfact.engine.iv.WaldMethod}: the API's {@code 2sls} and {@code wald} as
 *       {@link io.counterfact.engine.Estimator}s of the facade (estimand LATE).</li>
 * </ul>
 *
 * <p>Decided: an instrument set that carries no information on an endogenous regressor (the
 * model is not identified) is an {@link io.counterfact.engine.InvalidSpecException} naming the
 * regressor and the instruments; collinear instruments are one naming the columns; a weak first
 * stage (F or robust F below 10) is a warning naming the regressor and the instruments, and the
 * Anderson-Rubin set is then the interval to read. Matches AER/sandwich/lmtest and statsmodels on
 * the cigarettes reference to about 1e-11 relative.
 */
package io.counterfact.engine.iv;
