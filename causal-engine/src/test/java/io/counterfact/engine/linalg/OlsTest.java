package io.counterfact.engine.linalg;

import io.counterfact.engine.testing.Dense;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OlsTest {

    private static final String[] TERMS = {"intercept", "treat", "age", "educ", "black", "hispan", "married",
            "nodegree", "re74", "re75"};

    private static double[][] nswDesign(Map<String, double[]> d) {
        int n = d.get("treat").length;
        double[][] x = new double[TERMS.length][];
        x[0] = new double[n];
        Arrays.fill(x[0], 1.0);
        for (int j = 1; j < TERMS.length; j++) {
            x[j] = d.get(TERMS[j]);
        }
        return x;
    }

    @Test
    void reproducesTheNswRegressionOfBothReferenceEngines() {
        Map<String, double[]> d = Reference.nsw();
        OlsFit fit = Ols.fit(nswDesign(d), d.get("re78"));
        for (JsonNode ref : Reference.nswReferences()) {
            JsonNode ols = ref.get("ols");
            String engine = ref.get("engine").asText();
            double[] b = fit.coefficients();
            for (int j = 0; j < TERMS.length; j++) {
                assertClose(ols.get("coef").get(TERMS[j]).asDouble(), b[j], 1e-9, engine + " coef " + TERMS[j]);
            }
            for (CovarianceType t : CovarianceType.values()) {
                double[] se = fit.standardErrors(t);
                String key = "se_" + t.name().toLowerCase();
                for (int j = 0; j < TERMS.length; j++) {
                    assertClose(ols.get(key).get(TERMS[j]).asDouble(), se[j], 1e-9, engine + " " + key + " " + TERMS[j]);
                }
            }
            assertClose(ols.get("sigma").asDouble(), fit.sigma(), 1e-9, engine + " sigma");
            assertClose(ols.get("r_squared").asDouble(), fit.rSquared(), 1e-9, engine + " r2");
            assertEquals(ols.get("df_resid").asInt(), fit.dfResidual());
        }
    }

    @Test
    void recoversExactCoefficientsOfBadlyScaledUncentredColumns() {
        // a column near 1e6 with unit spread is nearly collinear with the intercept: a naive
        // normal-equation solve loses about 12 digits here
        Random rng = new Random(7);
        int n = 5000;
        double[][] x = new double[4][n];
        double[] beta = {3.0, -0.5, 2e-4, 7.0};
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[0][i] = 1e6 + rng.nextGaussian();
            x[1][i] = 1.0;
            x[2][i] = 1e4 * rng.nextGaussian();
            x[3][i] = rng.nextInt(2);
            for (int j = 0; j < 4; j++) {
                y[i] += beta[j] * x[j][i];
            }
        }
        OlsFit fit = Ols.fit(x, y);
        double[] b = fit.coefficients();
        // the slopes are well determined; the intercept (far outside the data, at x0 = 0) is
        // sensitive to the rounding of y itself, so only the fit is checked for it
        for (int j : new int[]{0, 2, 3}) {
            assertClose(beta[j], b[j], 1e-9, "coefficient " + j);
        }
        double[] r = fit.residuals();
        for (int i = 0; i < n; i++) {
            assertEquals(0.0, r[i], 1e-12 * Math.abs(y[i]));
        }
    }

    @Test
    void covariancesAgreeWithADirectDenseComputation() {
        Random rng = new Random(11);
        int n = 300;
        int p = 4;
        double[][] x = new double[p][n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[0][i] = 1;
            x[1][i] = rng.nextGaussian() * 3 + 1;
            x[2][i] = rng.nextDouble() < 0.3 ? 1 : 0;
            x[3][i] = rng.nextGaussian();
            y[i] = 1 + x[1][i] - 2 * x[2][i] + rng.nextGaussian() * (1 + Math.abs(x[3][i]));
        }
        OlsFit fit = Ols.fit(x, y);
        // brute force: (X'X)⁻¹ by Gauss-Jordan on the raw normal equations, leverage row by row
        double[][] xtx = new double[p][p];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    xtx[a][b] += x[a][i] * x[b][i];
                }
            }
        }
        double[][] inv = Dense.inverse(xtx);
        double[] r = fit.residuals();
        double[][] meat = new double[p][p];
        for (int i = 0; i < n; i++) {
            double[] xi = new double[p];
            for (int a = 0; a < p; a++) {
                xi[a] = x[a][i];
            }
            double h = Matrices.quadraticForm(inv, xi);
            assertEquals(h, fit.leverage()[i], 1e-12);
            double w = r[i] * r[i] / ((1 - h) * (1 - h));
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    meat[a][b] += w * xi[a] * xi[b];
                }
            }
        }
        double[][] hc3 = Matrices.sandwich(inv, meat);
        double[][] got = fit.covariance(CovarianceType.HC3);
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                assertClose(hc3[a][b], got[a][b], 1e-9, "HC3[" + a + "][" + b + "]");
            }
        }
    }

    @Test
    void namesTheFirstColumnThatDependsOnEarlierOnes() {
        int n = 50;
        double[][] x = new double[4][n];
        Random rng = new Random(3);
        for (int i = 0; i < n; i++) {
            x[0][i] = 1;
            x[1][i] = rng.nextGaussian();
            x[2][i] = rng.nextGaussian();
            x[3][i] = 2 * x[1][i] - x[2][i] + 5;
        }
        RankDeficientException e = assertThrows(RankDeficientException.class, () -> Ols.fit(x, x[1]));
        assertEquals(3, e.column());
        double[] c = e.combination();
        assertEquals(2.0, c[1], 1e-8);
        assertEquals(-1.0, c[2], 1e-8);
    }

    @Test
    void gramIsIdenticalWhateverTheBlockingAndMatchesBruteForce() {
        Random rng = new Random(5);
        int n = Gram.BLOCK * 3 + 17;
        int p = 7;
        double[][] x = new double[p][n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                x[j][i] = rng.nextGaussian();
            }
            w[i] = rng.nextDouble();
        }
        double[][] g = Gram.of(x, w, null);
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += w[i] * x[a][i] * x[b][i];
                }
                assertClose(s, g[a][b], 1e-12, "G[" + a + "][" + b + "]");
            }
        }
        // repeated runs on the pool reduce in the same order
        for (int rep = 0; rep < 3; rep++) {
            double[][] again = Gram.of(x, w, null);
            for (int a = 0; a < p; a++) {
                assertArrayEquals(g[a], again[a], 0.0);
            }
        }
    }

    @Test
    void choleskySolvesAndInvertsWithRefinement() {
        double[][] a = {{4e8, 2e4, 1}, {2e4, 3, 0.5}, {1, 0.5, 2}};
        Cholesky c = Cholesky.of(a);
        double[] b = {1, 2, 3};
        double[] x = c.solveRefined(b);
        double[] back = Matrices.multiply(a, x);
        for (int i = 0; i < 3; i++) {
            // backward error relative to the size of the row's terms
            double size = 0;
            for (int k = 0; k < 3; k++) {
                size += Math.abs(a[i][k] * x[k]);
            }
            assertEquals(b[i], back[i], 1e-14 * size, "A x = b row " + i);
        }
        double[][] prod = Matrices.multiply(a, c.inverse());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i == j ? 1.0 : 0.0, prod[i][j], 1e-9);
            }
        }
        assertTrue(assertThrows(RankDeficientException.class,
                () -> Cholesky.of(new double[][]{{1, 2}, {2, 4}})).column() == 1);
    }
}
