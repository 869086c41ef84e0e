package io.counterfact.engine.testing;

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

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reference data and results copied from the shared datasets folder (R and statsmodels). */
public final class Reference {

    /** The README's tolerance for estimates and standard errors. */
    public static final double TOLERANCE = 1e-6;

    public static final String[] NSW_COVARIATES = {"age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"};

    private Reference() {
    }

    /** Numeric columns of a CSV resource by header name (empty field or NA = NaN). */
    public static Map<String, double[]> csv(String resource) {
        try (InputStream in = Reference.class.getResourceAsStream("/reference/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String[] header = reader.readLine().split(",");
            List<double[]> rows = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                double[] row = new double[header.length];
                for (int j = 0; j < header.length; j++) {
                    String v = f[j].trim();
                    row[j] = v.isEmpty() || v.equals("NA") ? Double.NaN : Double.parseDouble(v);
                }
                rows.add(row);
            }
            Map<String, double[]> cols = new LinkedHashMap<>();
            for (int j = 0; j < header.length; j++) {
                double[] c = new double[rows.size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = rows.get(i)[j];
                }
                cols.put(header[j].trim(), c);
            }
            return cols;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON resource. */
    public static JsonNode json(String resource) {
        try (InputStream in = Reference.class.getResourceAsStream("/reference/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The NSW reference results of both engines. */
    public static List<JsonNode> nswReferences() {
        return List.of(json("lalonde_nsw_exp_ref_R.json"), json("lalonde_nsw_exp_ref_py.json"));
    }

    public static Map<String, double[]> nsw() {
        return csv("lalonde_nsw_exp.csv");
    }

    /** Relative comparison at {@link #TOLERANCE}. */
    public static void assertClose(double expected, double actual, String what) {
        assertClose(expected, actual, TOLERANCE, what);
    }

    public static void assertClose(double expected, double actual, double relTol, String what) {
        double scale = Math.max(Math.abs(expected), 1e-300);
        assertEquals(expected, actual, relTol * scale, () -> what + ": expected " + expected + " got " + actual
                + " (relative error " + Math.abs(actual - expected) / scale + ")");
    }
}
