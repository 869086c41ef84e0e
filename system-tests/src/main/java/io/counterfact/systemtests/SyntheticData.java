package io.counterfact.systemtests;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An observational study with a known effect: covariates x1..x4 (numeric) and x5 (binary) confound a binary
 * treatment {@code treat} (logistic propensity) and a numeric outcome {@code y} with a true effect of 2.
 */
public final class SyntheticData {

    private SyntheticData() {
    }

    public static Map<String, String> columns() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("y", "numeric");
        c.put("treat", "binary");
        c.put("x1", "numeric");
        c.put("x2", "numeric");
        c.put("x3", "numeric");
        c.put("x4", "numeric");
        c.put("x5", "binary");
        return c;
    }

    public static final java.util.List<String> COVARIATES = java.util.List.of("x1", "x2", "x3", "x4", "x5");

    public static byte[] csv(int rows, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder(rows * 64);
        b.append(String.join(",", columns().keySet())).append('\n');
        for (int i = 0; i < rows; i++) {
            double x1 = gaussian(rng), x2 = gaussian(rng), x3 = gaussian(rng), x4 = rng.nextDouble() * 4 - 2;
            int x5 = rng.nextDouble() < 0.4 ? 1 : 0;
            double lin = -0.2 + 0.5 * x1 - 0.4 * x2 + 0.3 * x4 + 0.6 * x5;
            int t = rng.nextDouble() < 1 / (1 + Math.exp(-lin)) ? 1 : 0;
            double y = 1 + 2 * t + x1 + 0.5 * x2 - x3 + 0.8 * x5 + gaussian(rng);
            b.append(String.format(Locale.ROOT, "%.6f,%d,%.6f,%.6f,%.6f,%.6f,%d%n", y, t, x1, x2, x3, x4, x5));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
