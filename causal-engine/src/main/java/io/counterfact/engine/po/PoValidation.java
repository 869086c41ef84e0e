package io.counterfact.engine.po;

import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.Gram;
import io.counterfact.engine.linalg.Parallel;

/** Schema-time checks shared by the potential-outcomes methods. */
final class PoValidation {

    private PoValidation() {
    }

    /**
     * For a propensity the caller gives: every t is 0 or 1 and every e strictly between 0 and 1, checked over
     * row blocks in parallel without branching on the treatment itself.
     *
     * @throws IllegalArgumentException naming the first offending row
     */
    static void requireTreatmentAndPropensity(double[] t, double[] e) {
        int n = t.length;
        int blocks = Math.max(1, (n + Gram.BLOCK - 1) / Gram.BLOCK);
        boolean[] bad = new boolean[blocks];
        Parallel.forRanges(blocks, (from, to) -> {
            for (int b = from; b < to; b++) {
                double tBad = 0;
                int eBad = 0;
                for (int i = b * Gram.BLOCK; i < Math.min(n, (b + 1) * Gram.BLOCK); i++) {
                    // |t(1 − t)| is 0 exactly for t = 0 or 1
                    tBad += Math.abs(t[i] * (1 - t[i]));
                    if (!(e[i] * (1 - e[i]) > 0)) {
                        eBad++;
                    }
                }
                bad[b] = !(tBad == 0) || eBad > 0;
            }
        });
        for (int b = 0; b < blocks; b++) {
            if (bad[b]) {
                for (int i = b * Gram.BLOCK; i < Math.min(n, (b + 1) * Gram.BLOCK); i++) {
                    if ((t[i] != 0.0 && t[i] != 1.0) || !(e[i] > 0.0 && e[i] < 1.0)) {
                        throw new IllegalArgumentException("row " + i + " has treatment " + t[i] + " and propensity "
                                + e[i] + ": the treatment must be 0 or 1 and the propensity strictly between 0 and 1");
                    }
                }
            }
        }
    }

    /** Instruments and further endogenous regressors belong to the IV methods: refuse them rather than ignore them. */
    static void noIvFields(EstimationSpec spec) {
        if (!spec.instruments().isEmpty()) {
            throw new InvalidSpecException("instruments", "Method '" + spec.method() + "' does not use instruments ('"
                    + spec.instruments().get(0) + "'); instruments apply to wald and 2sls");
        }
        if (!spec.endogenous().isEmpty()) {
            throw new InvalidSpecException("endogenous", "Method '" + spec.method() + "' does not take endogenous "
                    + "regressors ('" + spec.endogenous().get(0) + "'); they apply to wald and 2sls");
        }
    }
}
