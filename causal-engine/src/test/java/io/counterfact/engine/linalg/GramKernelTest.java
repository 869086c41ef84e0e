package io.counterfact.engine.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scalar kernel, run explicitly, against the vector kernel (the one the module's tests run with,
 * surefire starting the JVM with {@code --add-modules=jdk.incubator.vector}): the same cross-products
 * to rounding, for awkward shapes (p odd and even, row counts that are not multiples of the vector
 * width or the tile, weights read from an offset, output at an offset).
 */
class GramKernelTest {

    private static final int[] COLUMNS = {1, 2, 3, 4, 5, 6, 7, 9, 22, 23, 24, 25};
    private static final int[] ROWS = {1, 3, 7, 8, 9, 255, 256, 257, 700, 1029, 2048};

    @Test
    void theTestJvmRunsTheVectorKernel() {
        assertNotNull(Gram.vectorKernel(), "the tests run with --add-modules=jdk.incubator.vector (surefire argLine)");
        assertTrue(Gram.optimisingCompiler(), "a JVM with C2 (under C1 alone the scalar kernel is chosen)");
        assertTrue(Gram.kernel().startsWith("vector-"), Gram.kernel());
        assertEquals("scalar", Gram.scalarKernel().name());
    }

    @Test
    void scalarAndVectorKernelsAgreeToRounding() {
        GramKernel scalar = Gram.scalarKernel();
        GramKernel vector = Gram.vectorKernel();
        assertNotNull(vector);
        Random random = new Random(20261125);
        for (int p : COLUMNS) {
            for (int len : ROWS) {
                double[][] x = new double[p][len + 3];
                for (double[] column : x) {
                    double offset = 10 * random.nextGaussian();
                    for (int i = 0; i < column.length; i++) {
                        column[i] = offset + random.nextGaussian();
                    }
                }
                int from = 5;
                double[] weights = new double[from + len];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = random.nextDouble() * 3;
                }
                for (double[] w : new double[][] {null, weights}) {
                    int at = 3;
                    double[] expected = new double[at + p * p];
                    double[] actual = new double[at + p * p];
                    // the scalar kernel in one call, the vector kernel in uneven chunks (its lanes carried over)
                    add(scalar, x, 0, len, len, w, from, expected, at);
                    add(vector, x, 0, len, 1 + len / 3, w, from, actual, at);
                    String shape = "p = " + p + ", rows = " + len + (w == null ? "" : ", weighted");
                    for (int j = 0; j < p; j++) {
                        for (int k = j; k < p; k++) {
                            // relative to the scale of the entry's row and column (an off-diagonal sum may be ~0)
                            double scale = Math.sqrt(expected[at + j * p + j] * expected[at + k * p + k]);
                            assertEquals(expected[at + j * p + k], actual[at + j * p + k], 1e-12 * scale,
                                    shape + ", entry " + j + "," + k);
                        }
                    }
                    // the kernels add to g and touch nothing before the offset
                    assertEquals(0.0, actual[0]);
                    double[] twice = actual.clone();
                    add(vector, x, 0, len, Gram.TILE, w, from, twice, at);
                    for (int j = 0; j < p; j++) {
                        for (int k = j; k < p; k++) {
                            double scale = Math.sqrt(actual[at + j * p + j] * actual[at + k * p + k]);
                            assertEquals(2 * actual[at + j * p + k], twice[at + j * p + k], 1e-14 * scale, shape);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bothKernelsCentreTheSameBits() {
        Random random = new Random(3);
        double[] src = new double[1000];
        for (int i = 0; i < src.length; i++) {
            src[i] = 1e4 + random.nextGaussian();
        }
        for (int rows : new int[] {0, 1, 7, 8, 9, 512, 513}) {
            for (double shift : new double[] {0.0, 1e4, -3.5}) {
                double[] expected = new double[rows + 2];
                double[] actual = new double[rows + 2];
                Gram.scalarKernel().centredCopy(src, 11, rows, shift, expected);
                Gram.vectorKernel().centredCopy(src, 11, rows, shift, actual);
                assertArrayEquals(expected, actual, 0.0, rows + " rows, shift " + shift);
                assertEquals(src[11] - shift, rows > 0 ? actual[0] : src[11] - shift);
                assertEquals(0.0, actual[rows], "nothing written past the rows");
            }
        }
    }

    /** Rows [from, to) in calls of {@code chunk} rows, then drained into g at {@code at}. */
    private static void add(GramKernel kernel, double[][] x, int from, int to, int chunk, double[] w, int wFrom,
                            double[] g, int at) {
        GramKernel.Sum sum = kernel.newSum(x.length);
        double[][] buffer = new double[2][to];
        for (int t = from; t < to; t += chunk) {
            sum.add(x, t, Math.min(to, t + chunk), w, wFrom, buffer);
        }
        sum.drainTo(g, at);
    }

    @Test
    void gramIsTheSameTwice() {
        // a Gram of several blocks twice, on whichever threads: the same bits (blocks reduced in block order)
        Random random = new Random(7);
        int n = 3 * Gram.BLOCK + 123;
        double[][] x = new double[7][n];
        double[] w = new double[n];
        for (double[] column : x) {
            for (int i = 0; i < n; i++) {
                column[i] = 5 + random.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++) {
            w[i] = random.nextDouble();
        }
        double[] shift = {5, 5, 5, 5, 5, 5, 5};
        double[][] first = Gram.of(x, w, shift);
        double[][] second = Gram.of(x, w, shift);
        for (int j = 0; j < x.length; j++) {
            assertArrayEquals(first[j], second[j], 0.0);
        }
    }
}
