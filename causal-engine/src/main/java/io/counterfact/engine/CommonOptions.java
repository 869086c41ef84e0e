package io.counterfact.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The options every method accepts: {@code confidenceLevel} and {@code bootstrap}. */
public final class CommonOptions {

    public static final String CONFIDENCE_LEVEL = "confidenceLevel";
    public static final String BOOTSTRAP = "bootstrap";

    /** Most replicates accepted: beyond this the percentile CI does not improve but the run time does. */
    public static final int MAX_REPLICATES = 100_000;

    private static final Set<String> BOOTSTRAP_KEYS = Set.of("replicates", "seed", "type");

    private CommonOptions() {
    }

    public static List<OptionSpec> all() {
        return List.of(confidenceLevel(), bootstrap());
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
}
