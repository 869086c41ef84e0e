package io.counterfact.engine.po;

import io.counterfact.engine.po.IpwCalculation.Weighting;

import static io.counterfact.engine.po.FusedMultiplyAdd.madd;

/**
 * The plain-Java {@link IpwKernel}: one unit at a time, its sums in scalar registers. Runs on any JVM;
 * {@link VectorIpwKernel} also uses it for the rows after a block's last whole vector.
 */
final class ScalarIpwKernel implements IpwKernel {

    static final ScalarIpwKernel INSTANCE = new ScalarIpwKernel();

    private ScalarIpwKernel() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    /**
     * A unit's one division gives r = 1/e (treated) or 1/(1 − e) (control); its weight is h·r with h = 1
     * (ATE), e (ATT), 1 − e (ATC), multiplied by T or 1 − T rather than branched on (the treatment is
     * unpredictable); the ATT's treated and the ATC's controls weigh exactly 1. y' = y − (c0 + T·(c1 − c0)):
     * the treated arm's shift is taken as c0 + (c1 − c0) wherever it is used ({@link IpwCalculation}), so it
     * is exactly the one subtracted here.
     */
    @Override
    public void armSums(double[] y, double[] t, double[] e, boolean[] keep, double c0, double c1, boolean[] asked,
                        int lo, int hi, double[] out, int at) {
        boolean ate = asked[Weighting.ATE.ordinal()];
        boolean att = asked[Weighting.ATT.ordinal()];
        boolean atc = asked[Weighting.ATC.ordinal()];
        double units = 0;
        double treated = 0;
        double tBad = 0;
        double eBad = 0;
        // per estimand and arm (1 treated, 0 control): Σ w, Σ w·y', Σ w², Σ w²·y', Σ w²·y'²
        double aw1 = 0, ay1 = 0, az1 = 0, au1 = 0, av1 = 0, aw0 = 0, ay0 = 0, az0 = 0, au0 = 0, av0 = 0;
        double ty1 = 0, tv1 = 0, tw0 = 0, ty0 = 0, tz0 = 0, tu0 = 0, tv0 = 0;
        double cw1 = 0, cy1 = 0, cz1 = 0, cu1 = 0, cv1 = 0, cy0 = 0, cv0 = 0;
        double dc = c1 - c0;
        for (int i = lo; i < hi; i++) {
            double ti = t[i];
            double ei = e[i];
            double ui = 1 - ti;
            tBad += Math.abs(ti * ui);
            if (!(ei * (1 - ei) > 0)) {
                eBad++;
            }
            if (keep != null && !keep[i]) {
                continue;
            }
            // for a 0/1 treatment exactly e or 1 − e, and y' is around exactly c0 or c0 + dc (see armSums above)
            double r = 1 / madd(ei, ti - ui, ui);
            double ys = y[i] - madd(ti, dc, c0);
            units += 1;
            treated += ti;
            if (ate) {
                double w1 = ti * r;
                double w0 = ui * r;
                double wy1 = w1 * ys;
                double wy0 = w0 * ys;
                aw1 += w1;
                ay1 += wy1;
                az1 = madd(w1, w1, az1);
                au1 = madd(w1, wy1, au1);
                av1 = madd(wy1, wy1, av1);
                aw0 += w0;
                ay0 += wy0;
                az0 = madd(w0, w0, az0);
                au0 = madd(w0, wy0, au0);
                av0 = madd(wy0, wy0, av0);
            }
            if (att) {
                // the treated arm's weight is T itself (w² = w): Σ w, Σ w² are the treated count, Σ w²y' = Σ w·y'
                double y1 = ti * ys;
                ty1 += y1;
                tv1 = madd(y1, ys, tv1);
                double w0 = ui * ei * r;
                double wy0 = w0 * ys;
                tw0 += w0;
                ty0 += wy0;
                tz0 = madd(w0, w0, tz0);
                tu0 = madd(w0, wy0, tu0);
                tv0 = madd(wy0, wy0, tv0);
            }
            if (atc) {
                // the control arm's weight is 1 − T itself
                double y0 = ui * ys;
                cy0 += y0;
                cv0 = madd(y0, ys, cv0);
                double w1 = ti * (1 - ei) * r;
                double wy1 = w1 * ys;
                cw1 += w1;
                cy1 += wy1;
                cz1 = madd(w1, w1, cz1);
                cu1 = madd(w1, wy1, cu1);
                cv1 = madd(wy1, wy1, cv1);
            }
        }
        IpwKernel.add(out, at, units, treated, tBad, eBad, aw1, ay1, az1, au1, av1, aw0, ay0, az0, au0, av0,
                ty1, tv1, tw0, ty0, tz0, tu0, tv0, cw1, cy1, cz1, cu1, cv1, cy0, cv0);
    }
}
