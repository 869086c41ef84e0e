package io.counterfact.engine.linalg;

/** Small dense helpers on row-major {@code double[rows][cols]} matrices (p×p sizes, not data). */
public final class Matrices {

    private Matrices() {
    }

    /** A·B. */
    public static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        int inner = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int k = 0; k < inner; k++) {
                double aik = a[i][k];
                double[] bk = b[k];
                for (int j = 0; j < m; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }

    /** A·v. */
    public static double[] multiply(double[][] a, double[] v) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int k = 0; k < v.length; k++) {
                s += a[i][k] * v[k];
            }
            r[i] = s;
        }
        return r;
    }

    /** Aᵀ. */
    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** B·M·Bᵀ (the sandwich with a symmetric or general bread B), symmetrised. */
    public static double[][] sandwich(double[][] bread, double[][] meat) {
        double[][] v = multiply(multiply(bread, meat), transpose(bread));
        return symmetrize(v);
    }

    /** v'A v. */
    public static double quadraticForm(double[][] a, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double row = 0;
            for (int j = 0; j < v.length; j++) {
                row += a[i][j] * v[j];
            }
            s += v[i] * row;
        }
        return s;
    }

    /** (A + Aᵀ)/2, in place; returns A. */
    public static double[][] symmetrize(double[][] a) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < i; j++) {
                double m = 0.5 * (a[i][j] + a[j][i]);
                a[i][j] = m;
                a[j][i] = m;
            }
        }
        return a;
    }

    /** Square roots of the diagonal. */
    public static double[] sqrtDiagonal(double[][] a) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = Math.sqrt(a[i][i]);
        }
        return s;
    }

    /** Multiplies every entry by {@code f}, in place; returns A. */
    public static double[][] scale(double[][] a, double f) {
        for (double[] row : a) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= f;
            }
        }
        return a;
    }

    /** A p×p identity. */
    public static double[][] identity(int p) {
        double[][] a = new double[p][p];
        for (int i = 0; i < p; i++) {
            a[i][i] = 1.0;
        }
        return a;
    }
}
