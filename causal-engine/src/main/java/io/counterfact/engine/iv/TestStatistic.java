package io.counterfact.engine.iv;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A test's statistic, degrees of freedom and p-value. For an F statistic {@code df} is the
 * numerator's and {@code df2} the denominator's; for a chi-squared statistic {@code df2} is 0.
 */
public record TestStatistic(double statistic, int df, int df2, double pValue) {

    /** The API's {@code {"statistic", "df", "pValue"}} (with {@code df2} for an F statistic). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("statistic", statistic);
        m.put("df", df);
        if (df2 > 0) {
            m.put("df2", df2);
        }
        m.put("pValue", pValue);
        return m;
    }
}
