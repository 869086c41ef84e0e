package io.counterfact.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the engine's result with the peer's: the JSON line that {@code time_py.py METHOD} printed,
 * read from {@code <peer dir>/METHOD.json} ({@code -Dbench.peer}, else the environment's
 * {@code BENCH_PEER}). Every number of the peer's {@code result} object but statsmodels' iteration
 * count must be matched to {@link #RELATIVE_TOLERANCE} relative; anything else (no peer file, a key
 * the engine does not produce, a difference) throws, which fails the benchmark's trial.
 */
public final class PeerCheck {

    /** The acceptance bar: the engine must reproduce statsmodels/numpy to 1e-6 relative. */
    public static final double RELATIVE_TOLERANCE = 1e-6;

    private static final Pattern RESULT = Pattern.compile("\"result\"\\s*:\\s*\\{([^}]*)}");
    private static final Pattern PAIR = Pattern.compile("\"([^\"]+)\"\\s*:\\s*([-+0-9.eE]+|NaN|-?Infinity)");

    private PeerCheck() {
    }

    /** The peer's results directory. */
    public static Path dir() {
        String d = System.getProperty("bench.peer");
        if (d == null || d.isBlank()) {
            d = System.getenv("BENCH_PEER");
        }
        if (d == null || d.isBlank()) {
            throw new IllegalStateException("no peer results: set -Dbench.peer (or BENCH_PEER) to the directory holding "
                    + "METHOD.json = the output of `python3 time_py.py METHOD synthdir` (scripts/bench-engine.sh does)");
        }
        return Path.of(d);
    }

    /** The numbers of the peer's {@code result} for {@code method}. */
    public static Map<String, Double> peer(String method) {
        Path f = dir().resolve(method + ".json");
        String text;
        try {
            text = Files.readString(f);
        } catch (IOException e) {
            throw new IllegalStateException("no peer result for " + method + ": " + f + " is missing; run "
                    + "`python3 time_py.py " + method + " synthdir > " + f + "` first", e);
        }
        Matcher m = RESULT.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(f + " has no \"result\" object: " + text);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher p = PAIR.matcher(m.group(1));
        while (p.find()) {
            out.put(p.group(1), Double.parseDouble(p.group(2)));
        }
        return out;
    }

    /**
     * Throws unless every value of the peer's result (but {@code iterations}) is in {@code engine}
     * and equal to 1e-6 relative; returns a one-line summary.
     */
    public static String check(String method, Map<String, Double> engine) {
        return check(method, engine, false);
    }

    /**
     * As {@link #check(String, Map)}; with {@code subset} (an engine-only variant such as the facade,
     * which reports one SE type) the peer's values the engine does not give are skipped, but every
     * value it gives must be the peer's and match.
     */
    public static String check(String method, Map<String, Double> engine, boolean subset) {
        Map<String, Double> peer = peer(method);
        StringBuilder summary = new StringBuilder("CHECK " + method + ":");
        StringBuilder failures = new StringBuilder();
        int compared = 0;
        for (Map.Entry<String, Double> e : peer.entrySet()) {
            String key = e.getKey();
            if (key.equals("iterations")) {
                // statsmodels' Newton iteration count, not a result: the engine's IRLS counts differently
                continue;
            }
            Double mine = engine.get(key);
            if (mine == null && subset) {
                continue;
            }
            if (mine == null) {
                failures.append(String.format(" %s: the engine gives no such value;", key));
                continue;
            }
            double ref = e.getValue();
            double rel = Math.abs(mine - ref) / Math.max(Math.abs(ref), Double.MIN_NORMAL);
            compared++;
            summary.append(String.format(" %s engine %.12g peer %.12g rel %.1e;", key, mine, ref, rel));
            if (!(rel <= RELATIVE_TOLERANCE)) {
                failures.append(String.format(" %s: engine %.17g, peer %.17g, relative difference %.3e > %.0e;",
                        key, mine, ref, rel, RELATIVE_TOLERANCE));
            }
        }
        for (String key : engine.keySet()) {
            if (!peer.containsKey(key) && !key.equals("iterations")) {
                failures.append(String.format(" %s: the peer gives no such value;", key));
            }
        }
        if (compared == 0 && failures.length() == 0) {
            failures.append(" the peer's result has nothing to compare");
        }
        if (engine.containsKey("iterations") && peer.containsKey("iterations")) {
            summary.append(String.format(" iterations engine %.0f peer %.0f;", engine.get("iterations"),
                    peer.get("iterations")));
        }
        if (failures.length() > 0) {
            throw new IllegalStateException("engine result differs from statsmodels/numpy for " + method + ":" + failures);
        }
        return summary.toString();
    }
}
