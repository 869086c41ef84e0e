package io.counterfact.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An estimation's options after parsing: every option of the method, defaults filled in. */
public final class Options {

    /** The parsed {@code bootstrap} option; {@code replicates == 0} means off. */
    public record Bootstrap(int replicates, long seed, String type) {
        public static final Bootstrap OFF = new Bootstrap(0, 1, "percentile");

        public boolean enabled() {
            return replicates > 0;
        }
    }

    /**
     * The parsed {@code refute} option: how many re-estimations each refuter runs (0: that refuter
     * is off), the share of rows in a data subset, and the seed of every refuter's random draws.
     */
    public record Refute(int placeboReplicates, int randomCommonCauseReplicates, int subsetReplicates,
                         double subsetFraction, long seed) {
        public static final Refute OFF = new Refute(0, 0, 0, CommonOptions.DEFAULT_SUBSET_FRACTION, 1);

        public boolean enabled() {
            return totalReplicates() > 0;
        }

        /** Re-estimations over all refuters. */
        public int totalReplicates() {
            return placeboReplicates + randomCommonCauseReplicates + subsetReplicates;
        }
    }

    private final Map<String, Object> values;

    public Options(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The parsed value of an option. @throws IllegalArgumentException if the method has no such option */
    public Object get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("no option '" + name + "' for this method");
        }
        return values.get(name);
    }

    public String string(String name) {
        return (String) get(name);
    }

    public double number(String name) {
        return ((Number) get(name)).doubleValue();
    }

    public int integer(String name) {
        return Math.toIntExact(((Number) get(name)).longValue());
    }

    public long longValue(String name) {
        return ((Number) get(name)).longValue();
    }

    /** Whether the method has the option. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** {@code confidenceLevel}. */
    public double confidenceLevel() {
        return number(CommonOptions.CONFIDENCE_LEVEL);
    }

    /** {@code bootstrap}. */
    public Bootstrap bootstrap() {
        return (Bootstrap) get(CommonOptions.BOOTSTRAP);
    }

    /** {@code refute}. */
    public Refute refute() {
        return (Refute) get(CommonOptions.REFUTE);
    }

    /** Every option's value (JSON-ready except the bootstrap and refute records). */
    public Map<String, Object> asMap() {
        return values;
    }

    /** These options with one value replaced (used to switch the bootstrap and refuters off inside replicates). */
    public Options with(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Options(m);
    }
}
