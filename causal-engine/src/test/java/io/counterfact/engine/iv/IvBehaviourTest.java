package io.counterfact.engine.iv;

import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.linalg.CovarianceType;
import io.counterfact.engine.linalg.Ols;
import io.counterfact.engine.linalg.OlsFit;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 2SLS beyond the reference values: covariances checked by a naive matrix computation, errors, weak instruments, the Anderson-Rubin set. */
class IvBehaviourTest {

    private static final Map<String, double[]> CIG = IvData.csv("cigarettes_sw.csv", "year", v -> v == 1995);

    private static IvFit cigarettes(List<String> exogenous, List<String> instruments, IvOptions options) {
        return TwoStageLeastSquares.fit(CIG.get("lpacks"), Regressors.of("lrprice", CIG.get("lrprice")),
                CigarettesReferenceTest.columns(exogenous), CigarettesReferenceTest.columns(instruments), options);
    }

    private static RealMatrix matrix(double[]... columns) {
        int n = columns[0].length;
        RealMatrix m = new Array2DRowRealMatrix(n, columns.length);
        for (int j = 0; j < columns.length; j++) {
            for (int i = 0; i < n; i++) {
                m.setEntry(i, j, columns[j][i]);
            }
        }
        return m;
    }

    private static double[] ones(int n) {
        double[] o = new double[n];
        Arrays.fill(o, 1.0);
        return o;
    }

    @Test
    void everyCovarianceTypeMatchesTheTextbookMatrixFormula() {
        // the 2SLS formulas written out with dense matrices: X̂ = P_Z X, H = X(X̂'X̂)⁻¹X̂'
        double[] y = CIG.get("lpacks");
        int n = y.length;
        RealMatrix x = matrix(ones(n), CIG.get("lrprice"), CIG.get("lrincome"));
        RealMatrix z = matrix(ones(n), CIG.get("lrincome"), CIG.get("rtdiff"), CIG.get("rtax"));
        RealMatrix pz = z.multiply(new LUDecomposition(z.transpose().multiply(z)).getSolver().getInverse()).multiply(z.transpose());
        RealMatrix xhat = pz.multiply(x);
        RealMatrix bread = new LUDecomposition(xhat.transpose().multiply(xhat)).getSolver().getInverse();
        RealMatrix yv = matrix(y);
        RealMatrix b = bread.multiply(xhat.transpose()).multiply(yv);
        RealMatrix u = yv.subtract(x.multiply(b));
        RealMatrix hat = x.multiply(bread).multiply(xhat.transpose());
        IvFit fit = cigarettes(List.of("lrincome"), List.of("rtdiff", "rtax"), IvOptions.defaults());
        double[] h = fit.leverage();
        for (int i = 0; i < n; i++) {
            assertEquals(hat.getEntry(i, i), h[i], 1e-10);
        }
        assertEquals(3.0, Arrays.stream(h).sum(), 1e-9, "the trace of the 2SLS hat matrix is k");
        for (CovarianceType type : CovarianceType.values()) {
            double[] omega = new double[n];
            for (int i = 0; i < n; i++) {
                double u2 = u.getEntry(i, 0) * u.getEntry(i, 0);
                omega[i] = switch (type) {
                    case CLASSICAL -> 0;
                    case HC0 -> u2;
                    case HC1 -> u2 * n / (n - 3.0);
                    case HC2 -> u2 / (1 - h[i]);
                    case HC3 -> u2 / ((1 - h[i]) * (1 - h[i]));
                };
            }
            RealMatrix v;
            if (type == CovarianceType.CLASSICAL) {
                v = bread.scalarMultiply(u.transpose().multiply(u).getEntry(0, 0) / (n - 3));
            } else {
                RealMatrix meat = new Array2DRowRealMatrix(3, 3);
                for (int i = 0; i < n; i++) {
                    RealMatrix row = xhat.getRowMatrix(i);
                    meat = meat.add(row.transpose().multiply(row).scalarMultiply(omega[i]));
                }
                v = bread.multiply(meat).multiply(bread);
            }
            double[] se = fit.standardErrors(type);
            for (int j = 0; j < 3; j++) {
                assertEquals(Math.sqrt(v.getEntry(j, j)), se[j], 1e-9 * se[j], type + " term " + j);
            }
        }
    }

    @Test
    void withTheRegressorsAsTheirOwnInstrumentsItIsOls() {
        double[] y = CIG.get("lpacks");
        double[] price = CIG.get("lrprice");
        IvFit fit = TwoStageLeastSquares.fit(y, Regressors.of("lrprice", price), Regressors.of("lrincome", CIG.get("lrincome")),
                Regressors.of("lrprice_copy", price.clone()), IvOptions.defaults());
        OlsFit ols = Ols.fit(new double[][]{ones(y.length), price, CIG.get("lrincome")}, y);
        for (CovarianceType type : CovarianceType.values()) {
            double[] a = fit.standardErrors(type);
            double[] b = ols.standardErrors(type);
            for (int j = 0; j < 3; j++) {
                assertEquals(b[j], a[j], 1e-9 * b[j], type.name());
            }
        }
        assertEquals(ols.coefficients()[1], fit.estimate(), 1e-10);
        assertTrue(fit.wuHausman().isEmpty(), "no first-stage residual to test");
    }

    @Test
    void collinearInstrumentsAreRejectedNamingThem() {
        double[] doubled = CIG.get("rtax").clone();
        for (int i = 0; i < doubled.length; i++) {
            doubled[i] *= 2;
        }
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> TwoStageLeastSquares.fit(
                CIG.get("lpacks"), Regressors.of("lrprice", CIG.get("lrprice")), Regressors.none(),
                CigarettesReferenceTest.columns(List.of("rtdiff", "rtax")).and("rtax_doubled", doubled),
                IvOptions.defaults()));
        assertEquals("instruments[2]", e.field());
        assertTrue(e.getMessage().contains("'rtax_doubled'") && e.getMessage().contains("rtax"), e.getMessage());
        assertFalse(e.getMessage().contains("rtdiff"), e.getMessage());

        double[] income = CIG.get("lrincome");
        double[] shifted = new double[income.length];
        for (int i = 0; i < income.length; i++) {
            shifted[i] = 3 * income[i] - 1;
        }
        InvalidSpecException withControl = assertThrows(InvalidSpecException.class, () -> TwoStageLeastSquares.fit(
                CIG.get("lpacks"), Regressors.of("lrprice", CIG.get("lrprice")), Regressors.of("lrincome", income),
                Regressors.of("income_rescaled", shifted), IvOptions.defaults()));
        assertEquals("instruments[0]", withControl.field());
        assertTrue(withControl.getMessage().contains("lrincome"), withControl.getMessage());
    }

    @Test
    void anInstrumentUncorrelatedWithTheTreatmentIsAnErrorNamingBoth() {
        // z made exactly orthogonal to the treatment (after the intercept): no first stage at all
        Random rng = new Random(1);
        int n = 200;
        double[] d = new double[n];
        double[] z = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rng.nextGaussian();
            z[i] = rng.nextGaussian();
            y[i] = d[i] + rng.nextGaussian();
        }
        OlsFit proj = Ols.fit(new double[][]{ones(n), d}, z);
        double[] zPerp = proj.residuals();
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> TwoStageLeastSquares.fit(y,
                Regressors.of("price", d), Regressors.none(), Regressors.of("tax", zPerp), IvOptions.defaults()));
        assertEquals("treatment", e.field());
        assertTrue(e.getMessage().contains("tax") && e.getMessage().contains("price"), e.getMessage());
        assertTrue(e.getMessage().contains("not identified"), e.getMessage());
    }

    @Test
    void tooFewInstrumentsIsAnError() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> TwoStageLeastSquares.fit(
                CIG.get("lpacks"), CigarettesReferenceTest.columns(List.of("lrprice", "lrincome")), Regressors.none(),
                CigarettesReferenceTest.columns(List.of("rtdiff")), IvOptions.defaults()));
        assertEquals("instruments", e.field());
        assertTrue(e.getMessage().contains("1 instrument (rtdiff) for 2 endogenous regressors"), e.getMessage());
    }

    /** A simulated instrument of a given strength: d = strength·z + u + v, y = 1 + 2d + u + e. */
    private static IvFit simulated(double strength, int n, long seed, IvOptions options, int instruments) {
        Random rng = new Random(seed);
        double[] y = new double[n];
        double[] d = new double[n];
        double[][] z = new double[instruments][n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextGaussian();
            double dz = 0;
            for (int j = 0; j < instruments; j++) {
                z[j][i] = rng.nextGaussian();
                dz += strength * z[j][i];
            }
            d[i] = dz + u + rng.nextGaussian();
            y[i] = 1 + 2 * d[i] + u + rng.nextGaussian() * (1 + Math.abs(z[0][i]));
        }
        List<String> names = instruments == 1 ? List.of("z1") : List.of("z1", "z2", "z3").subList(0, instruments);
        return TwoStageLeastSquares.fit(y, Regressors.of("d", d), Regressors.none(), Regressors.of(names, z), options);
    }

    @Test
    void weakInstrumentsWarnNamingThemAndTheAndersonRubinSetIsUnbounded() {
        IvFit weak = simulated(0.02, 300, 7, IvOptions.defaults(), 1);
        FirstStage fs = weak.firstStages().get(0);
        assertTrue(fs.weak());
        assertTrue(fs.f() < 10);
        assertEquals(1, weak.warnings().size());
        assertTrue(weak.warnings().get(0).contains("z1") && weak.warnings().get(0).contains(" d:"), weak.warnings().get(0));
        ConfidenceSet ar = weak.andersonRubin().orElseThrow();
        assertFalse(ar.bounded(), ar.toString());
        assertTrue(List.of("union-of-rays", "whole-line").contains(ar.shape()));
        Map<String, Object> m = ar.toMap();
        assertNull(m.get("ciLower"));
        assertNull(m.get("ciUpper"));
        assertEquals(false, m.get("bounded"));
        Map<String, Object> diagnostics = weak.diagnostics();
        assertEquals(true, ((List<Map<String, Object>>) diagnostics.get("firstStage")).get(0).get("weak"));

        IvFit strong = simulated(1.0, 300, 7, IvOptions.defaults(), 1);
        assertTrue(strong.warnings().isEmpty());
        ConfidenceSet bounded = strong.andersonRubin().orElseThrow();
        assertEquals("interval", bounded.shape());
        assertTrue(bounded.contains(strong.estimate()));
    }

    @Test
    void andersonRubinSetsAreExactlyWhereTheTestAccepts() {
        for (CovarianceType type : List.of(CovarianceType.CLASSICAL, CovarianceType.HC1, CovarianceType.HC3)) {
            for (int instruments : new int[]{1, 2}) {
                for (double strength : new double[]{0.05, 0.15, 1.0}) {
                    IvFit fit = simulated(strength, 250, 3, IvOptions.defaults().withSe(type), instruments);
                    ConfidenceSet set = fit.andersonRubin().orElseThrow();
                    ConfidenceSet grid = fit.andersonRubinByGrid();
                    String where = type + " m=" + instruments + " strength " + strength + ": " + set + " vs " + grid;
                    // the exact and the grid solutions agree (the grid is the only one for robust m > 1)
                    assertEquals(set.intervals().size(), grid.intervals().size(), where);
                    for (int i = 0; i < set.intervals().size(); i++) {
                        assertSameEnd(set.intervals().get(i).lower(), grid.intervals().get(i).lower(), where);
                        assertSameEnd(set.intervals().get(i).upper(), grid.intervals().get(i).upper(), where);
                    }
                    // at each finite end the statistic is at the critical value; inside below, outside above
                    double crit = new org.apache.commons.math3.distribution.FDistribution(instruments, 250 - 1 - instruments)
                            .inverseCumulativeProbability(0.95);
                    for (ConfidenceSet.Interval iv : set.intervals()) {
                        for (double end : new double[]{iv.lower(), iv.upper()}) {
                            if (Double.isFinite(end)) {
                                assertEquals(crit, fit.andersonRubinStatistic(end), 1e-6 * crit, where);
                                double step = 1e-4 * Math.max(1, Math.abs(end));
                                boolean lowerEnd = end == iv.lower();
                                assertTrue(fit.andersonRubinStatistic(lowerEnd ? end + step : end - step) < crit, where);
                                assertTrue(fit.andersonRubinStatistic(lowerEnd ? end - step : end + step) > crit, where);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void assertSameEnd(double a, double b, String where) {
        if (Double.isInfinite(a) || Double.isInfinite(b)) {
            assertEquals(a, b, where);
        } else {
            assertEquals(a, b, 1e-7 * Math.max(1, Math.abs(a)), where);
        }
    }

    @Test
    void classicalAndersonRubinStatisticIsTheFTestOfTheInstrumentsOnTheShiftedOutcome() {
        IvFit fit = cigarettes(List.of("lrincome"), List.of("rtdiff", "rtax"), IvOptions.defaults().withSe(CovarianceType.CLASSICAL));
        double[] y = CIG.get("lpacks");
        double[] d = CIG.get("lrprice");
        int n = y.length;
        for (double beta0 : new double[]{-2.0, -1.2774, 0.0, 0.5}) {
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = y[i] - beta0 * d[i];
            }
            double rssW = Ols.fit(new double[][]{ones(n), CIG.get("lrincome")}, e).rss();
            double rssZ = Ols.fit(new double[][]{ones(n), CIG.get("lrincome"), CIG.get("rtdiff"), CIG.get("rtax")}, e).rss();
            double f = ((rssW - rssZ) / 2) / (rssZ / (n - 4));
            assertEquals(f, fit.andersonRubinStatistic(beta0), 1e-9 * f, "beta0 " + beta0);
        }
        // just identified, the statistic vanishes at the 2SLS estimate, which the set therefore holds
        IvFit just = cigarettes(List.of(), List.of("rtdiff"), IvOptions.defaults());
        assertEquals(0.0, just.andersonRubinStatistic(just.estimate()), 1e-12);
        assertTrue(just.andersonRubin().orElseThrow().contains(just.estimate()));
    }

    @Test
    void severalEndogenousRegressorsAreRecovered() {
        Random rng = new Random(99);
        int n = 20_000;
        double[] y = new double[n];
        double[][] d = new double[2][n];
        double[][] z = new double[3][n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextGaussian();
            for (int j = 0; j < 3; j++) {
                z[j][i] = rng.nextGaussian();
            }
            w[i] = rng.nextGaussian();
            d[0][i] = z[0][i] + 0.5 * z[2][i] + 0.5 * w[i] + u + rng.nextGaussian();
            d[1][i] = z[1][i] - 0.5 * z[2][i] + u + rng.nextGaussian();
            y[i] = 1 + 2 * d[0][i] - 1 * d[1][i] + 0.3 * w[i] + 2 * u + rng.nextGaussian();
        }
        IvFit fit = TwoStageLeastSquares.fit(y, Regressors.of(List.of("d1", "d2"), d), Regressors.of("w", w),
                Regressors.of(List.of("z1", "z2", "z3"), z), IvOptions.defaults());
        assertEquals(List.of("intercept", "d1", "d2", "w"), fit.terms());
        double[] b = fit.coefficients();
        double[] se = fit.standardErrors();
        double[] truth = {1, 2, -1, 0.3};
        for (int j = 0; j < 4; j++) {
            assertTrue(Math.abs(b[j] - truth[j]) < 4 * se[j], fit.terms().get(j) + " " + b[j]);
        }
        assertEquals(2.0, fit.estimate(), 4 * fit.stdError());
        assertEquals(2, fit.firstStages().size());
        assertEquals("d2", fit.firstStages().get(1).regressor());
        assertEquals(1, fit.sargan().orElseThrow().df());
        // valid instruments: the over-identification tests should not reject at 0.1%
        assertTrue(fit.sargan().orElseThrow().pValue() > 0.001);
        assertTrue(fit.hansenJ().orElseThrow().pValue() > 0.001);
        assertTrue(fit.andersonRubin().isEmpty());
        assertFalse(fit.diagnostics().containsKey("andersonRubin"));
        assertEquals(2, fit.wuHausman().orElseThrow().df());
    }

    @Test
    void diagnosticsHaveTheApiShape() {
        IvFit fit = cigarettes(List.of("lrincome"), List.of("rtdiff", "rtax"), IvOptions.defaults());
        Map<String, Object> d = fit.diagnostics();
        assertEquals(List.of("firstStage", "wuHausman", "sargan", "hansenJ", "andersonRubin", "se"), List.copyOf(d.keySet()));
        Map<?, ?> first = ((List<Map<?, ?>>) d.get("firstStage")).get(0);
        assertTrue(first.keySet().containsAll(List.of("regressor", "F", "FRobust", "partialR2", "weak")));
        assertEquals("lrprice", first.get("regressor"));
        assertTrue(((Map<?, ?>) d.get("wuHausman")).keySet().containsAll(List.of("statistic", "df", "pValue")));
        assertTrue(((Map<?, ?>) d.get("sargan")).keySet().containsAll(List.of("statistic", "df", "pValue")));
        Map<?, ?> ar = (Map<?, ?>) d.get("andersonRubin");
        assertTrue(ar.keySet().containsAll(List.of("ciLower", "ciUpper", "bounded")));
        assertEquals(true, ar.get("bounded"));
        assertTrue((Double) ar.get("ciLower") < fit.estimate() && fit.estimate() < (Double) ar.get("ciUpper"));
        assertEquals("HC1", d.get("se"));
        // partial R² = (RSS_r − RSS_u)/RSS_r, F = partialR2/(1 − partialR2)·(n − L)/m
        FirstStage fs = fit.firstStages().get(0);
        assertEquals(fs.f(), fs.partialR2() / (1 - fs.partialR2()) * fs.df2() / fs.df1(), 1e-9 * fs.f());
    }
}
