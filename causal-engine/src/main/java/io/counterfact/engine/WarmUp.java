package io.counterfact.engine;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs the engine's hot paths (propensity logit, IPW/AIPW passes, OLS with robust errors, 2SLS, bootstrap) on
 * generated data so that the JIT has compiled them before the first real request. A fresh JVM runs the kernels
 * in the interpreter and C1 first, and the Vector API ones are slower than scalar code until C2 has compiled them (a
 * 1M-row IPW took ~1 s in a fresh JVM, 1–5 ms once compiled): without a warm-up the first commands of a pod an
 * autoscaler has just added pay that, exactly when the queue is long. Rounds (one estimation of each kind per round)
 * stop once {@value #STEADY_ROUNDS} rounds in a row took no more than {@value #STEADY_RATIO} times the fastest so far
 * (measured here on 4,096 rows: the first round ~1.2 s, the next ones ~60 ms, so ~1.5 s in all; a fresh JVM's first
 * 10,000-row AIPW with 40 bootstrap replicates then took ~0.35 s instead of ~1.6 s), or when the budget is spent, or after
 * {@code maxRounds}, whatever has been compiled by then.
 */
public final class WarmUp {

    /** What a warm-up did: rounds run, estimations made, and how long the first and the last round took. */
    public record Report(int rounds, int estimations, Duration took, Duration firstRound, Duration lastRound) {
    }

    private static final List<String> COVARIATES = List.of("x1", "x2", "x3", "x4", "x5", "x6");
    static final int STEADY_ROUNDS = 3;
    static final double STEADY_RATIO = 1.25;

    private WarmUp() {
    }

    /**
     * @param rows      rows of the generated data (a few thousand: enough iterations for the JIT, cheap per round)
     * @param budget    stop starting rounds once this much time has passed
     * @param maxRounds stop after this many rounds (if the timings have not settled before)
     */
    public static Report run(CausalEngine engine, int rows, Duration budget, int maxRounds) {
        DataFrame data = data(rows, 20261126L);
        List<EstimationSpec> specs = specs();
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        int rounds = 0;
        int estimations = 0;
        long first = 0;
        long last = 0;
        long fastest = Long.MAX_VALUE;
        int steady = 0;
        while (rounds < maxRounds && steady < STEADY_ROUNDS && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            for (EstimationSpec spec : specs) {
                engine.estimate(data, spec, ProgressListener.NONE);
                estimations++;
            }
            last = System.nanoTime() - t0;
            if (rounds == 0) {
                first = last;
            }
            fastest = Math.min(fastest, last);
            steady = rounds > 0 && last <= STEADY_RATIO * fastest ? steady + 1 : 0;
            rounds++;
        }
        return new Report(rounds, estimations, Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(first),
                Duration.ofNanos(last));
    }

    /** One estimation of each kind whose kernels a command spends its time in. */
    static List<EstimationSpec> specs() {
        Map<String, Object> bootstrap = Map.of("bootstrap", Map.of("replicates", 4, "seed", 1));
        return List.of(
                EstimationSpec.of("aipw", "ATE", "t", "y", COVARIATES, bootstrap),
                EstimationSpec.of("ipw", "ATT", "t", "y", COVARIATES, Map.of()),
                EstimationSpec.of("regression", "ATE", "t", "y", COVARIATES, Map.of()),
                new EstimationSpec("2sls", null, "d", "y", COVARIATES, List.of("z"), List.of(), null, Map.of()));
    }

    /**
     * Covariates x1..x6 ~ N(0,1); a binary treatment t from a logit in them; an instrument z moving an endogenous
     * d; y depends on t, d and the covariates. The numbers do not matter, only that every method has a well-posed fit.
     */
    static DataFrame data(int rows, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[COVARIATES.size()][rows];
        double[] t = new double[rows];
        double[] z = new double[rows];
        double[] d = new double[rows];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double eta = -0.2;
            double mu = 1.0;
            for (int j = 0; j < x.length; j++) {
                x[j][i] = rng.nextGaussian();
                eta += (j % 2 == 0 ? 0.25 : -0.25) * x[j][i];
                mu += x[j][i] / (j + 1);
            }
            t[i] = rng.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
            double u = rng.nextGaussian();
            z[i] = rng.nextGaussian();
            d[i] = 0.8 * z[i] + 0.5 * u + rng.nextGaussian();
            y[i] = mu + 2 * t[i] + 1.5 * d[i] + u + rng.nextGaussian();
        }
        List<Column> columns = new ArrayList<>();
        columns.add(Column.numeric("y", y));
        columns.add(Column.binary("t", t));
        columns.add(Column.numeric("d", d));
        columns.add(Column.numeric("z", z));
        for (int j = 0; j < x.length; j++) {
            columns.add(Column.numeric(COVARIATES.get(j), x[j]));
        }
        return DataFrame.of(columns);
    }
}
