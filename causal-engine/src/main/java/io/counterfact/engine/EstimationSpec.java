package io.counterfact.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to estimate: the API's estimation request without its dataset reference.
 *
 * @param method      e.g. {@code "aipw"}
 * @param estimand    {@code ATE}, {@code ATT}, {@code ATC} or {@code LATE}; null for the method's default
 * @param treatment   treatment column (for {@code wald}/{@code 2sls} the endogenous regressor)
 * @param outcome     outcome column
 * @param covariates  adjustment set (for IV methods the exogenous controls); never null
 * @param instruments excluded instruments (IV methods); never null
 * @param endogenous  further endogenous regressors (IV methods); never null
 * @param dag         dagitty text or JSON of a DAG to pick the adjustment set from, or null
 * @param options     method options as parsed from JSON (String, Number, Boolean, Map, List values); never null
 */
public record EstimationSpec(String method, String estimand, String treatment, String outcome,
                             List<String> covariates, List<String> instruments, List<String> endogenous,
                             String dag, Map<String, Object> options) {

    public EstimationSpec {
        covariates = copy(covariates);
        instruments = copy(instruments);
        endogenous = copy(endogenous);
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** A spec for a potential-outcomes method with covariates and options. */
    public static EstimationSpec of(String method, String estimand, String treatment, String outcome,
                                    List<String> covariates, Map<String, Object> options) {
        return new EstimationSpec(method, estimand, treatment, outcome, covariates, List.of(), List.of(), null, options);
    }

    /** This spec with another adjustment set (e.g. one picked from the DAG). */
    public EstimationSpec withCovariates(List<String> newCovariates) {
        return new EstimationSpec(method, estimand, treatment, outcome, newCovariates, instruments, endogenous, dag,
                options);
    }

    /** This spec with another estimand. */
    public EstimationSpec withEstimand(String newEstimand) {
        return new EstimationSpec(method, newEstimand, treatment, outcome, covariates, instruments, endogenous, dag,
                options);
    }

    /** This spec with other options. */
    public EstimationSpec withOptions(Map<String, Object> newOptions) {
        return new EstimationSpec(method, estimand, treatment, outcome, covariates, instruments, endogenous, dag,
                newOptions);
    }

    private static List<String> copy(List<String> list) {
        // List.copyOf rejects null elements; a null name must reach validation, which names the field
        return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
