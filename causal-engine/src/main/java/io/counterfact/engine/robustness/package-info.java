/**
 * Robustness of an estimate: the {@code refute} option's refuters
 * ({@link io.counterfact.engine.robustness.Refutations}: placebo treatment, random common cause,
 * data subsets, after DoWhy) and E-values for unmeasured confounding
 * ({@link io.counterfact.engine.robustness.EValues}, after VanderWeele and Ding 2017). The engine
 * runs both around every estimation; estimators need not know about them.
 */
package io.counterfact.engine.robustness;
