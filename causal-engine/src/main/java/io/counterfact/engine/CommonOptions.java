package io.counterfact.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The options every method accepts: {@code confidenceLevel}, {@code bootstrap} and {@code refute}. */
public final class CommonOptions {

    public static final String CONFIDENCE_LEVEL = "confidenceLevel";
    public static final String BOOTSTRAP = "bootstrap";
    public static final String REFUTE = "refute";

    /** Re-estimations per refuter when the request says only {@code true}: DoWhy's default number of simulations. */
    public static final int DEFAULT_REFUTATION_REPLICATES = 100;

    /** Most re-estimations per refuter: each is a whole estimation, and beyond this the p-value does not gain. */
    public static final int MAX_REFUTATION_REPLICATES = 10_000;

    /** Share of the rows in each data subset by default (DoWhy's subset_fraction). */
    public static final double DEFAULT_SUBSET_FRACTION = 0.8;

    /** Most replicates accepted: beyond this the percentile CI does not improve but the run time does. */
    public static final int MAX_REPLICATES = 100_000;

    private static final Set<String> BOOTSTRAP_KEYS = Set.of("replicates", "seed", "type");

    private CommonOptions() {
    }

    public static List<OptionSpec> all() {
        return List.of(confidenceLevel(), bootstrap(), refute());
    }

    static OptionSpec confidenceLevel() {
        return OptionSpec.number(CONFIDENCE_LEVEL, 0.95, v -> v > 0 && v < 1, "a number strictly between 0 and 1");
    }

    static OptionSpec bootstrap() {
        String description = "an object {\"replicates\": 0.." + MAX_REPLICATES
                + ", \"seed\": integer, \"type\": \"percentile\"|\"bca\"}";
        return new OptionSpec(BOOTSTRAP, Options.Bootstrap.OFF, (raw, field) -> {
            if (!(raw instanceof Map<?, ?> map)) {
                throw new InvalidSpecException(field, "Option bootstrap = " + OptionSpec.show(raw) + " is not valid: "
                        + description);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!BOOTSTRAP_KEYS.contains(key)) {
                    throw new InvalidSpecException(field + "." + key, "Unknown bootstrap setting '" + key
                            + "'; known: replicates, seed, type");
                }
                m.put(key, e.getValue());
            }
            int replicates = 0;
            if (m.get("replicates") != null) {
                Long r = OptionSpec.asLong(m.get("replicates"));
                if (r == null || r < 0 || r > MAX_REPLICATES) {
                    throw new InvalidSpecException(field + ".replicates", "bootstrap.replicates = "
                            + OptionSpec.show(m.get("replicates")) + " is not valid: an integer from 0 to " + MAX_REPLICATES);
                }
                replicates = r.intValue();
            }
            long seed = 1;
            if (m.get("seed") != null) {
                Long s = OptionSpec.asLong(m.get("seed"));
                if (s == null) {
                    throw new InvalidSpecException(field + ".seed", "bootstrap.seed = " + OptionSpec.show(m.get("seed"))
                            + " is not valid: an integer");
                }
                seed = s;
            }
            String type = "percentile";
            if (m.get("type") != null) {
                Object t = m.get("type");
                if (t instanceof String s && (s.equalsIgnoreCase("percentile") || s.equalsIgnoreCase("bca"))) {
                    type = s.toLowerCase(java.util.Locale.ROOT);
                } else {
                    throw new InvalidSpecException(field + ".type", "bootstrap.type = " + OptionSpec.show(t)
                            + " is not valid: percentile or bca");
                }
            }
            if (replicates == 1) {
                throw new InvalidSpecException(field + ".replicates", "bootstrap.replicates = 1 is not valid: "
                        + "0 (off) or at least 2");
            }
            return new Options.Bootstrap(replicates, seed, type);
        }, description);
    }

    /**
     * {@code refute}: robustness checks that re-run the whole estimation on altered data, following
     * DoWhy's refuters (see {@code io.counterfact.engine.robustness.Refutations}):
     * <pre>{@code
     * "refute": {"placebo": true,                                    // or {"replicates": 100}
     *            "randomCommonCause": {"replicates": 50},            // or true
     *            "subsets": {"fraction": 0.8, "replicates": 100},    // or true
     *            "seed": 1}
     * }</pre>
     * Each refuter is off unless named; {@code true} means {@value #DEFAULT_REFUTATION_REPLICATES}
     * replicates (and, for subsets, a fraction of {@value #DEFAULT_SUBSET_FRACTION}); {@code false}
     * turns it off. {@code replicates} is an integer from 2 to {@value #MAX_REFUTATION_REPLICATES},
     * {@code fraction} a number strictly between 0 and 1, {@code seed} any integer (default 1).
     * Unknown keys are refused, naming them.
     */
    static OptionSpec refute() {
        String description = "an object {\"placebo\": true|false|{\"replicates\": n}, \"randomCommonCause\": "
                + "true|false|{\"replicates\": n}, \"subsets\": true|false|{\"fraction\": f, \"replicates\": n}, "
                + "\"seed\": integer} with 2 <= n <= " + MAX_REFUTATION_REPLICATES + " and 0 < f < 1";
        return new OptionSpec(REFUTE, Options.Refute.OFF, (raw, field) -> {
            Map<String, Object> m = settings(raw, field, "refute", Set.of("placebo", "randomCommonCause", "subsets", "seed"),
                    description);
            int placebo = replicates(m.get("placebo"), field + ".placebo", Set.of("replicates"));
            int randomCommonCause = replicates(m.get("randomCommonCause"), field + ".randomCommonCause",
                    Set.of("replicates"));
            int subsets = replicates(m.get("subsets"), field + ".subsets", Set.of("replicates", "fraction"));
            double fraction = DEFAULT_SUBSET_FRACTION;
            if (m.get("subsets") instanceof Map<?, ?> sub && sub.get("fraction") != null) {
                Double f = OptionSpec.asDouble(sub.get("fraction"));
                if (f == null || !(f > 0 && f < 1)) {
                    throw new InvalidSpecException(field + ".subsets.fraction", "refute.subsets.fraction = "
                            + OptionSpec.show(sub.get("fraction")) + " is not valid: a number strictly between 0 and 1");
                }
                fraction = f;
            }
            long seed = 1;
            if (m.get("seed") != null) {
                Long s = OptionSpec.asLong(m.get("seed"));
                if (s == null) {
                    throw new InvalidSpecException(field + ".seed", "refute.seed = " + OptionSpec.show(m.get("seed"))
                            + " is not valid: an integer");
                }
                seed = s;
            }
            return new Options.Refute(placebo, randomCommonCause, subsets, fraction, seed);
        }, description);
    }

    /** A settings object's entries, every key known. */
    private static Map<String, Object> settings(Object raw, String field, String name, Set<String> keys,
                                                String description) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new InvalidSpecException(field, "Option " + name + " = " + OptionSpec.show(raw) + " is not valid: "
                    + description);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!keys.contains(key)) {
                throw new InvalidSpecException(field + "." + key, "Unknown " + name + " setting '" + key + "'; known: "
                        + String.join(", ", keys.stream().sorted().toList()));
            }
            m.put(key, e.getValue());
        }
        return m;
    }

    /** One refuter's setting: absent or false → 0, true → the default, an object → its replicates. */
    private static int replicates(Object raw, String field, Set<String> keys) {
        if (raw == null || Boolean.FALSE.equals(raw)) {
            return 0;
        }
        if (Boolean.TRUE.equals(raw)) {
            return DEFAULT_REFUTATION_REPLICATES;
        }
        String description = "true, false or an object with " + String.join(", ", keys.stream().sorted().toList());
        Map<String, Object> m = settings(raw, field, field.substring("options.".length()), keys, description);
        if (m.get("replicates") == null) {
            return DEFAULT_REFUTATION_REPLICATES;
        }
        Long r = OptionSpec.asLong(m.get("replicates"));
        if (r == null || r < 2 || r > MAX_REFUTATION_REPLICATES) {
            throw new InvalidSpecException(field + ".replicates", field.substring("options.".length()) + ".replicates = "
                    + OptionSpec.show(m.get("replicates")) + " is not valid: an integer from 2 to "
                    + MAX_REFUTATION_REPLICATES);
        }
        return r.intValue();
    }
}
