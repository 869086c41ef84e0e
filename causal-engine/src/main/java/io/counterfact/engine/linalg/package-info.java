/**
 * Dense linear algebra for column-major data ({@code double[p][n]}: one array per column).
 *
 * <ul>
 *   <li>{@link io.counterfact.engine.linalg.Gram#of(double[][], double[], double[])}: Σ wᵢ(xᵢ−c)(xᵢ−c)',
 *       weights and shift optional; {@link io.counterfact.engine.linalg.Gram#crossProduct} X̃'Wv.
 *       Parallel over fixed row blocks, reduced in block order (same bits whatever the thread count).</li>
 *   <li>{@link io.counterfact.engine.linalg.Cholesky}: SPD factorisation after diagonal scaling;
 *       {@code solve}, {@code solveRefined} (one refinement step), {@code inverse}; a column that is
 *       a linear combination of earlier ones throws {@link io.counterfact.engine.linalg.RankDeficientException}
 *       with its index and the combination.</li>
 *   <li>{@link io.counterfact.engine.linalg.Ols#fit(double[][], double[])}: least squares (intercept
 *       detected and the other columns centred, scaled Cholesky, one step of refinement against raw
 *       residuals); {@link io.counterfact.engine.linalg.OlsFit} gives coefficients, residuals, σ̂, R²,
 *       leverage, {@code xtxInverse()} and {@code covariance(CovarianceType)} for CLASSICAL and HC0–HC3.
 *       Matches R's lm + sandwich to 1e-9 relative on the NSW data.</li>
 *   <li>{@link io.counterfact.engine.linalg.Matrices}: small p×p helpers (multiply, sandwich B·M·Bᵀ,
 *       quadratic form).</li>
 *   <li>{@link io.counterfact.engine.linalg.Parallel}: the engine's pool, sized to
 *       {@code Runtime.availableProcessors()}.</li>
 * </ul>
 */
package io.counterfact.engine.linalg;
