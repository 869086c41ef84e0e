/**
 * The causal engine: framework-free estimators over columnar data.
 *
 * <p>Entry point: {@link io.counterfact.engine.CausalEngine}.
 * <pre>{@code
 * CausalEngine engine = CausalEngine.standard();             // the potential-outcomes methods, wald, 2sls, dag → covariates
 * engine.validate(schema, spec);                              // at submission: throws InvalidSpecException (HTTP 400)
 * EstimationResult r = engine.estimate(frame, spec, progress); // at run time: same checks, then the data's own
 * Map<String, Object> a = engine.analyzeDag(dag, "T", "Y");    // POST /api/dags/analyze
 * }</pre>
 * {@link io.counterfact.engine.EstimationSpec} mirrors the API's request and
 * {@link io.counterfact.engine.EstimationResult} its result; every refusal is an
 * {@link io.counterfact.engine.InvalidSpecException} whose {@code field()} names the request field
 * ({@code "covariates[2]"}, {@code "options.trim"}) and whose message names the column or option.
 *
 * <p>Further methods join through {@link io.counterfact.engine.CausalEngine.Builder#register}
 * (an {@link io.counterfact.engine.Estimator} declares its estimands and
 * {@link io.counterfact.engine.OptionSpec options}; {@code confidenceLevel}, {@code bootstrap} and
 * {@code refute} are common and handled by the engine, as is {@code diagnostics.eValue}), and DAG-chosen adjustment sets through
 * {@link io.counterfact.engine.CausalEngine.Builder#adjustmentSets}.
 *
 * <p>Subpackages: {@code data} (columns, frames, design matrices), {@code linalg} (Gram, Cholesky,
 * OLS with sandwich covariances, the worker pool), {@code po} (the potential-outcomes estimators),
 * {@code iv} (2SLS, Wald, and their facade methods), {@code dag} (parsing, adjustment sets, the
 * selector), {@code bootstrap}, {@code robustness} (refuters, E-values).
 */
package io.counterfact.engine;
