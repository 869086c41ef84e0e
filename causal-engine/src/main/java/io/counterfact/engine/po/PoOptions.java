package io.counterfact.engine.po;

import io.counterfact.engine.OptionSpec;

/** Options shared by several potential-outcomes methods. */
final class PoOptions {

    static final String TRIM = "trim";

    private PoOptions() {
    }

    /** {@code trim}: ε in [0, 0.5); units with propensity outside [ε, 1 − ε] are dropped (0: none). */
    static OptionSpec trim() {
        return OptionSpec.number(TRIM, 0.0, v -> v >= 0 && v < 0.5, "a number ε with 0 <= ε < 0.5 (0: no trimming)");
    }
}
