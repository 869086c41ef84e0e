/**
 * Causal DAGs: parsing and identification.
 *
 * <ul>
 *   <li>{@link io.counterfact.engine.dag.DagParser#parse(Object)}: dagitty text (a String) or the
 *       JSON form (a Map); cycles, unknown nodes and syntax errors throw
 *       {@link io.counterfact.engine.dag.DagException} naming the edge, node or line and column.
 *       Groups and JSON nest at most 64 deep.</li>
 *   <li>{@link io.counterfact.engine.dag.Dag}: the graph; {@code isDSeparated} (Bayes-ball, linear
 *       time, with each bidirected edge a hidden common parent).</li>
 *   <li>{@link io.counterfact.engine.dag.DagAnalyzer}: backdoor adjustment sets (one minimal set in
 *       O(n + m); minimal and all listed with polynomial delay), front-door sets, instruments (as
 *       dagitty's {@code instrumentalVariables}) and testable implications (local Markov, one per
 *       missing edge, emitted lazily); {@code analyze} returns the
 *       {@link io.counterfact.engine.dag.DagAnalysis} that {@code POST /api/dags/analyze} answers,
 *       within a time budget (2 s by default).</li>
 * </ul>
 *
 * <p>Scale: nothing in this package recurses with the size of the graph (every search keeps an
 * explicit work list; the parser's descent is bounded by the nesting limit), and an analysis keeps
 * O(n + m) memory plus what it lists. Listings stop at 1,000 entries or when the time budget is
 * spent, flagged {@code "truncatedBy": "count" | "time"}. {@code DagScaleTest} runs graphs of
 * 10,000-100,000 nodes on a 256 KiB stack; {@code DagNetworkxReferenceTest} holds the answers on
 * random graphs of 1,000-10,000 nodes to the ones networkx checked
 * ({@code src/test/resources/dag-scale/networkx_reference.py}).
 */
package io.counterfact.engine.dag;
