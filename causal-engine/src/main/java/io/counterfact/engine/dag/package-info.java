/**
 * Causal DAGs: parsing and identification.
 *
 * <ul>
 *   <li>{@link io.counterfact.engine.dag.DagParser#parse(Object)}: dagitty text (a String) or the
 *       JSON form (a Map); cycles, unknown nodes and syntax errors throw
 *       {@link io.counterfact.engine.dag.DagException} naming the edge, node or line and column.</li>
 *   <li>{@link io.counterfact.engine.dag.Dag}: the graph; {@code isDSeparated} (Bayes-ball, with
 *       each bidirected edge a hidden common parent).</li>
 *   <li>{@link io.counterfact.engine.dag.DagAnalyzer}: backdoor adjustment sets (minimal and all),
 *       front-door sets, instruments (as dagitty's {@code instrumentalVariables}) and testable
 *       implications (local Markov, one per missing edge); {@code analyze} returns the
 *       {@link io.counterfact.engine.dag.DagAnalysis} that {@code POST /api/dags/analyze} answers.</li>
 * </ul>
 */
package io.counterfact.engine.dag;
