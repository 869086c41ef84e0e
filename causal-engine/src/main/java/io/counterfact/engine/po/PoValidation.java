package io.counterfact.engine.po;

import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.InvalidSpecException;

/** Schema-time checks shared by the potential-outcomes methods. */
final class PoValidation {

    private PoValidation() {
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
