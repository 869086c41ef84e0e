package io.counterfact.engine.po;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.counterfact.engine.testing.Reference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Matching against a brute-force transcription of the loop in R's Matching::Rmatch
 * (1-D X standardised, all O(n²) distances, ties within distance.tolerance, caliper, and the
 * Var.calc = 0 Abadie-Imbens variance), on small data with many ties.
 */
class MatchingTest {

    /** What brute force finds. */
    record Brute(double est, double se, int matched) {
    }

    /** Literal O(n²) version of Rmatch for a single matching variable and unit weights. */
    static Brute bruteForce(double[] x, double[] tr, double[] y, String estimand, int mRequested, double caliper) {
        int n = x.length;
        boolean atc = estimand.equals("ATC");
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = atc ? 1 - tr[i] : tr[i];
        }
        boolean all = estimand.equals("ATE");
        int n1 = 0;
        for (double v : t) {
            n1 += (int) v;
        }
        int m = all ? Math.min(mRequested, Math.min(n1, n - n1)) : Math.min(mRequested, n - n1);
        double mu = 0;
        double sq = 0;
        for (double v : x) {
            mu += v;
            sq += v * v;
        }
        mu /= n;
        double sig = Math.sqrt(sq / n - mu * mu) * Math.sqrt((double) n / (n - 1));
        double sdPop = Math.sqrt(sq / n - mu * mu);
        double ecaliper = caliper > 0 ? caliper * sdPop : Double.POSITIVE_INFINITY;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = (x[i] - mu) / sig;
        }
        double[] kCount = new double[n];
        double[] kkCount = new double[n];
        double[] yCaus = new double[n];
        boolean[] isMatched = new boolean[n];
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!(all || t[i] == 1)) {
                continue;
            }
            List<Double> potDist = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (t[j] == 1 - t[i]) {
                    potDist.add((z[j] - z[i]) * (z[j] - z[i]));
                }
            }
            potDist.sort(Double::compare);
            double distMax = potDist.get(m - 1);
            List<Integer> act = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                double d = (z[j] - z[i]) * (z[j] - z[i]);
                if (t[j] == 1 - t[i] && d <= distMax + 1e-5 && Math.abs(x[i] - x[j]) <= ecaliper) {
                    act.add(j);
                }
            }
            if (act.isEmpty()) {
                continue;
            }
            isMatched[i] = true;
            double mi = act.size();
            double ymat = 0;
            for (int j : act) {
                kCount[j] += 1 / mi;
                kkCount[j] += 1 / (mi * mi);
                ymat += y[j] / mi;
            }
            yCaus[i] = t[i] == 1 ? y[i] - ymat : ymat - y[i];
            for (int j : act) {
                double tau = t[i] == 1 ? y[i] - y[j] : y[j] - y[i];
                pairs.add(new double[]{tau, 1 / mi});
            }
        }
        double sw = 0;
        double swt = 0;
        for (double[] p : pairs) {
            sw += p[1];
            swt += p[1] * p[0];
        }
        double est = swt / sw;
        double swe = 0;
        for (double[] p : pairs) {
            swe += p[1] * (p[0] - est) * (p[0] - est);
        }
        double sigs = 0.5 * swe / sw;
        int sn = 0;
        for (boolean b : isMatched) {
            sn += b ? 1 : 0;
        }
        double var = 0;
        for (int j = 0; j < n; j++) {
            double iotC = all ? 1 : 1 - t[j];
            var += sigs * (iotC * kCount[j] * kCount[j] + (all ? 2 * iotC * kCount[j] : 0) - iotC * kkCount[j]);
            if (isMatched[j]) {
                var += (yCaus[j] - est) * (yCaus[j] - est);
            }
        }
        var /= (double) sn * sn;
        return new Brute(atc ? -est : est, Math.sqrt(var), sn);
    }

    @ParameterizedTest(name = "{0}, M={1}, caliper={2}")
    @CsvSource({"ATT, 1, 0", "ATE, 1, 0", "ATC, 1, 0", "ATT, 3, 0", "ATE, 2, 0", "ATT, 1, 0.05", "ATE, 1, 0.02",
            "ATC, 2, 0.1"})
    void agreesWithBruteForceIncludingTiesAndCalipers(String estimand, int m, double caliper) {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            int n = 120;
            double[] ps = new double[n];
            double[] t = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                // a coarse score forces exact ties; a few fine ones test the tolerance band
                ps[i] = i % 7 == 0 ? rng.nextDouble() : Math.round(rng.nextDouble() * 20) / 20.0;
                t[i] = rng.nextDouble() < 0.3 + 0.4 * ps[i] ? 1 : 0;
                y[i] = 3 * ps[i] + 1.5 * t[i] + rng.nextGaussian();
            }
            Brute b = bruteForce(ps, t, y, estimand, m, caliper);
            PropensityScoreMatching.Matched fast = PropensityScoreMatching.match(ps, t, y, estimand, m, caliper);
            assertEquals(b.matched(), fast.matchedUnits(), "matched units, seed " + seed);
            assertClose(b.est(), fast.estimate(), 1e-12, "estimate, seed " + seed);
            assertClose(b.se(), fast.stdError(), 1e-12, "se, seed " + seed);
        }
    }

    @Test
    void recoversAKnownEffectWithCalibratedIntervals() {
        // a known ATT of 2 with confounding on the score; 100 replications check the AI interval
        int covered = 0;
        int reps = 100;
        for (int rep = 0; rep < reps; rep++) {
            SplittableRandom rng = new SplittableRandom(500 + rep);
            int n = 1500;
            double[] ps = new double[n];
            double[] t = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double x = rng.nextGaussian();
                ps[i] = 1 / (1 + Math.exp(-(-0.3 + 0.8 * x)));
                t[i] = rng.nextDouble() < ps[i] ? 1 : 0;
                y[i] = 1 + 2 * x + 2.0 * t[i] + rng.nextGaussian();
            }
            PropensityScoreMatching.Matched r = PropensityScoreMatching.match(ps, t, y, "ATT", 1, 0);
            if (Math.abs(r.estimate() - 2.0) <= 1.959963984540054 * r.stdError()) {
                covered++;
            }
        }
        assertTrue(covered >= 88 && covered <= 99, "coverage " + covered + "/" + reps);
    }
}
