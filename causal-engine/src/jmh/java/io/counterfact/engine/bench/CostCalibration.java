package io.counterfact.engine.bench;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.cost.CommandCost;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.linalg.Parallel;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Calibration of {@link CommandCost}: measures the CPU time (all the JVM's Java threads; on a machine shared with other
 * work the wall time is not the engine's) of the engine's facade ({@link CausalEngine#estimate}) on synthetic data of
 * several sizes per method and fits each method's coefficients ({@code fixed + perCell·n·p + perGramCell·(n·p² +
 * p³)}) by least squares on the relative error. Prints one line per run (measured seconds, the model's seconds with
 * the coefficients in the source, allocated bytes against the model's peak) and the fitted coefficients to paste
 * into {@code CommandCost.CALIBRATED}.
 *
 * <p>Run with one engine thread (the model's coefficients are per thread): {@code scripts/calibrate-cost.sh}, i.e.
 * {@code java -XX:ActiveProcessorCount=1 --add-modules=jdk.incubator.vector -cp benchmarks.jar
 * io.counterfact.engine.bench.CostCalibration [METHOD...]}.
 */
public final class CostCalibration {

    private static final CausalEngine ENGINE = CausalEngine.standard();

    /** (rows, numeric covariates, levels of one categorical covariate or 0). */
    record Size(int n, int numeric, int levels) {
    }

    static final List<Size> SIZES = List.of(new Size(20_000, 4, 0), new Size(200_000, 4, 0), new Size(200_000, 30, 0),
            new Size(20_000, 100, 0), new Size(5_000, 0, 300), new Size(20_000, 0, 600));

    static final List<String> METHODS = List.of("difference-in-means", "regression", "ipw", "aipw", "matching", "wald",
            "2sls");

    private CostCalibration() {
    }

    public static void main(String[] args) {
        List<String> methods = args.length == 0 ? METHODS : List.of(args);
        System.out.printf(Locale.ROOT, "threads %d, gram kernel %s%n", Parallel.parallelism(),
                io.counterfact.engine.linalg.Gram.kernel());
        System.out.println("method | n | p | measured CPU s | model s | ratio model/measured | wall s | allocated MB | model peak MB");
        for (String method : methods) {
            List<double[]> points = new ArrayList<>(); // n, p, seconds
            for (Size size : SIZES) {
                if (method.equals("matching") && size.n() > 50_000) {
                    continue; // matching's cost is its nearest-neighbour search: the 20,000-row sizes tell it
                }
                DataFrame data = data(size, new SplittableRandom(42));
                EstimationSpec spec = spec(method, size);
                CommandCost.Workload w = ENGINE.workload(data.schema(), levels(data), data.rowCount(), spec, 1);
                double[] measured = time(data, spec);
                CommandCost.Cost model = CommandCost.estimate(w);
                double p = method.equals("difference-in-means") ? 1 : w.designColumns();
                points.add(new double[]{size.n(), p, measured[0]});
                System.out.printf(Locale.ROOT, "%s | %d | %d | %.4f | %.4f | %.2f | %.4f | %.1f | %.1f%n", method, size.n(),
                        w.designColumns(), measured[0], model.seconds(), model.seconds() / measured[0], measured[2],
                        measured[1] / 1e6, model.peakBytes() / 1e6);
            }
            double[] c = fit(points);
            System.out.printf(Locale.ROOT, "FIT %s: new Coefficients(%.1e, %.1e, %.1e)%n", method, c[0], c[1], c[2]);
        }
        // the bootstrap's and cross-fitting's multipliers, checked on one size
        Size s = new Size(20_000, 10, 0);
        DataFrame data = data(s, new SplittableRandom(7));
        for (EstimationSpec spec : List.of(
                withOptions(spec("regression", s), Map.of("bootstrap", Map.of("replicates", 50))),
                withOptions(spec("aipw", s), Map.of("bootstrap", Map.of("replicates", 20))),
                withOptions(spec("aipw", s), Map.of("crossFitFolds", 5)))) {
            CommandCost.Workload w = ENGINE.workload(data.schema(), levels(data), data.rowCount(), spec, 1);
            double[] measured = time(data, spec);
            CommandCost.Cost model = CommandCost.estimate(w);
            System.out.printf(Locale.ROOT, "%s %s | %d | %d | %.4f | %.4f | %.2f | %.4f | %.1f | %.1f%n", spec.method(),
                    spec.options(), s.n(), w.designColumns(), measured[0], model.seconds(),
                    model.seconds() / measured[0], measured[2], measured[1] / 1e6, model.peakBytes() / 1e6);
        }
    }

    static EstimationSpec withOptions(EstimationSpec spec, Map<String, Object> options) {
        return spec.withOptions(options);
    }

    /** Median seconds of 3 runs after warm-up (at least 2 runs and 1.5 s), and the bytes one run allocated. */
    static double[] time(DataFrame data, EstimationSpec spec) {
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < warmUntil && i < 400; i++) {
            ENGINE.estimate(data, spec, null);
        }
        double[] t = new double[3];
        double[] cpu = new double[3];
        long allocated = 0;
        for (int i = 0; i < t.length; i++) {
            long a0 = allocatedBytes();
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            ENGINE.estimate(data, spec, null);
            t[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (cpuNanos() - c0) / 1e9;
            allocated = allocatedBytes() - a0;
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        return new double[]{cpu[1], allocated, t[1]};
    }

    /**
     * CPU time so far of every live Java thread (the caller's and the engine pool's; not the JIT's or the collector's):
     * what a run costs whatever else the machine runs, where its wall time on a shared machine is not.
     */
    static long cpuNanos() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return total;
    }

    /** Bytes allocated so far by every live thread (the caller's and the engine pool's). */
    static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, a);
        }
        return total;
    }

    static Map<String, Integer> levels(DataFrame data) {
        Map<String, Integer> levels = new LinkedHashMap<>();
        for (String name : data.names()) {
            if (data.column(name).type() == ColumnType.CATEGORICAL) {
                levels.put(name, data.column(name).levels().size());
            }
        }
        return levels;
    }

    static EstimationSpec spec(String method, Size size) {
        List<String> covariates = new ArrayList<>();
        for (int j = 0; j < size.numeric(); j++) {
            covariates.add("x" + j);
        }
        if (size.levels() > 0) {
            covariates.add("g");
        }
        return switch (method) {
            case "difference-in-means" -> EstimationSpec.of(method, null, "t", "y", List.of(), Map.of());
            case "wald" -> new EstimationSpec(method, null, "t", "y", List.of(), List.of("z"), List.of(), null, Map.of());
            case "2sls" -> new EstimationSpec(method, null, "t", "y", covariates, List.of("z"), List.of(), null, Map.of());
            default -> EstimationSpec.of(method, null, "t", "y", covariates, Map.of());
        };
    }

    /** Normal covariates, a categorical one with {@code levels} levels, an instrument z, a binary t, an outcome y. */
    static DataFrame data(Size size, SplittableRandom rng) {
        int n = size.n();
        List<Column> columns = new ArrayList<>();
        double[] index = new double[n];
        for (int j = 0; j < size.numeric(); j++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = gaussian(rng);
                index[i] += x[i] * 0.3 / Math.sqrt(1 + j);
            }
            columns.add(Column.numeric("x" + j, x));
        }
        int[] codes = new int[n];
        if (size.levels() > 0) {
            List<String> levels = new ArrayList<>();
            for (int l = 0; l < size.levels(); l++) {
                levels.add(String.format(Locale.ROOT, "g%05d", l));
            }
            for (int i = 0; i < n; i++) {
                codes[i] = i < size.levels() ? i : rng.nextInt(size.levels()); // every level present
            }
            columns.add(Column.categorical("g", codes, levels));
        }
        double[] z = new double[n];
        double[] t = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = rng.nextInt(2);
            double g = size.levels() > 0 ? (codes[i] % 7) * 0.05 : 0;
            double logit = index[i] + 0.8 * (z[i] - 0.5) + g;
            t[i] = rng.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
            y[i] = 1 + 2 * t[i] + index[i] + g + gaussian(rng);
        }
        columns.add(Column.binary("z", z));
        columns.add(Column.binary("t", t));
        columns.add(Column.numeric("y", y));
        return DataFrame.of(columns);
    }

    static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Least squares of {@code fixed + a·n·p + b·(n·p² + p³)} on the relative error (each row divided by the measured
     * time), coefficients clamped at 0 (a negative one is refitted without it).
     */
    static double[] fit(List<double[]> points) {
        boolean[] active = {true, true, true};
        double[] c = new double[3];
        for (int round = 0; round < 3; round++) {
            c = solve(points, active);
            boolean changed = false;
            for (int k = 0; k < 3; k++) {
                if (active[k] && c[k] < 0) {
                    active[k] = false;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        return c;
    }

    private static double[] solve(List<double[]> points, boolean[] active) {
        double[][] a = new double[3][3];
        double[] b = new double[3];
        for (double[] pt : points) {
            double n = pt[0];
            double p = pt[1];
            double w = 1 / pt[2];
            double[] f = {w, w * n * p, w * (n * p * p + p * p * p)};
            for (int k = 0; k < 3; k++) {
                if (!active[k]) {
                    f[k] = 0;
                }
            }
            for (int i = 0; i < 3; i++) {
                b[i] += f[i]; // target: measured / measured = 1
                for (int j = 0; j < 3; j++) {
                    a[i][j] += f[i] * f[j];
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            if (!active[k]) {
                a[k][k] = 1;
                b[k] = 0;
            }
        }
        return gauss(a, b);
    }

    private static double[] gauss(double[][] a, double[] b) {
        int m = b.length;
        for (int col = 0; col < m; col++) {
            int pivot = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double tb = b[col];
            b[col] = b[pivot];
            b[pivot] = tb;
            for (int r = col + 1; r < m; r++) {
                double f = a[r][col] / a[col][col];
                for (int k = col; k < m; k++) {
                    a[r][k] -= f * a[col][k];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < m; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
