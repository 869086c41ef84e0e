package io.counterfact.engine.iv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test resources under /iv: the cigarettes data (copied from the shared datasets) and their R and statsmodels results. */
final class IvData {

    /** The datasets README's tolerance for estimates and standard errors. */
    static final double TOLERANCE = 1e-6;

    /** Largest relative error seen by {@link #assertClose}, reported by the reference test. */
    static double worst;

    private IvData() {
    }

    /** Numeric columns of a CSV resource, keeping the rows where {@code keep} holds for column {@code by}. */
    static Map<String, double[]> csv(String resource, String by, DoublePredicate keep) {
        try (InputStream in = IvData.class.getResourceAsStream("/iv/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String[] header = reader.readLine().split(",");
            int byIndex = List.of(header).indexOf(by);
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                double[] row = new double[header.length];
                for (int j = 0; j < header.length; j++) {
                    row[j] = Double.parseDouble(f[j].trim());
                }
                if (keep.test(row[byIndex])) {
                    rows.add(row);
                }
            }
            Map<String, double[]> cols = new LinkedHashMap<>();
            for (int j = 0; j < header.length; j++) {
                double[] c = new double[rows.size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = rows.get(i)[j];
                }
                cols.put(header[j], c);
            }
            return cols;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String resource) {
        try (InputStream in = IvData.class.getResourceAsStream("/iv/" + resource)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertClose(double expected, double actual, String what) {
        double scale = Math.max(Math.abs(expected), 1e-300);
        double rel = Math.abs(actual - expected) / scale;
        worst = Math.max(worst, rel);
        assertEquals(expected, actual, TOLERANCE * scale,
                () -> what + ": expected " + expected + " got " + actual + " (relative error " + rel + ")");
    }
}
