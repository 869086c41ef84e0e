package io.counterfact.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SUCCEEDED estimation's result, mirroring the API's result JSON field by field.
 * {@code diagnostics} holds JSON-ready values only (Number, String, Boolean, List, Map; never NaN).
 */
public record EstimationResult(String method, String estimand, double estimate, double stdError, double ciLower,
                               double ciUpper, double confidenceLevel, int n, int nDropped,
                               List<String> covariatesUsed, List<Coefficient> coefficients,
                               Map<String, Object> diagnostics, List<String> warnings) {

    /** One row of {@code coefficients}. */
    public record Coefficient(String term, double estimate, double stdError) {
    }

    public EstimationResult {
        covariatesUsed = covariatesUsed == null ? List.of() : List.copyOf(covariatesUsed);
        coefficients = coefficients == null ? List.of() : List.copyOf(coefficients);
        diagnostics = diagnostics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** This result with one more diagnostics entry (replacing one of the same key). */
    public EstimationResult withDiagnostic(String key, Object value) {
        Map<String, Object> d = new LinkedHashMap<>(diagnostics);
        d.put(key, value);
        return new EstimationResult(method, estimand, estimate, stdError, ciLower, ciUpper, confidenceLevel, n,
                nDropped, covariatesUsed, coefficients, d, warnings);
    }

    /** This result with more warnings. */
    public EstimationResult withWarnings(List<String> more) {
        List<String> w = new ArrayList<>(warnings);
        w.addAll(more);
        return new EstimationResult(method, estimand, estimate, stdError, ciLower, ciUpper, confidenceLevel, n,
                nDropped, covariatesUsed, coefficients, diagnostics, w);
    }

    /** This result with another adjustment set reported. */
    public EstimationResult withCovariatesUsed(List<String> used) {
        return new EstimationResult(method, estimand, estimate, stdError, ciLower, ciUpper, confidenceLevel, n,
                nDropped, used, coefficients, diagnostics, warnings);
    }
}
