package io.counterfact.engine.linalg;

import java.util.Locale;

/** Coefficient covariance of a least-squares fit: the classical one and the HC0–HC3 sandwiches (as R's sandwich::vcovHC). */
public enum CovarianceType {
    /** σ̂²(X'X)⁻¹ with σ̂² = r'r/(n − p). */
    CLASSICAL,
    /** White's (X'X)⁻¹ X' diag(r²) X (X'X)⁻¹. */
    HC0,
    /** HC0 · n/(n − p). */
    HC1,
    /** r²/(1 − h) in the meat. */
    HC2,
    /** r²/(1 − h)² in the meat. */
    HC3;

    /** Parses the API's spelling ({@code classical}, {@code HC0}..{@code HC3}), case-insensitively; null if unknown. */
    public static CovarianceType parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toUpperCase(Locale.ROOT);
        for (CovarianceType t : values()) {
            if (t.name().equals(v)) {
                return t;
            }
        }
        return null;
    }

    /** The API's spelling. */
    public String apiName() {
        return this == CLASSICAL ? "classical" : name();
    }
}
