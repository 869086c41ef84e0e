package io.counterfact.engine.po;

import io.counterfact.engine.po.IpwCalculation.Weighting;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link IpwKernel} on the incubating Vector API ({@code jdk.incubator.vector}): the scalar kernel's
 * arithmetic, unit for unit (the same one division, and the multiply-adds fused as the scalar kernel fuses
 * them on a processor with FMA), on a vector of units at a time ({@link DoubleVector#SPECIES_PREFERRED}:
 * 8 doubles with AVX-512), each of the block's sums a vector of lane sums. The scalar pass was bound by its
 * ~40 operations per unit, not by memory (1M units: ~6 ms CPU against ~1 ms here).
 *
 * <p>Only {@link IpwCalculation} loads this class, by name, and only when
 * {@link io.counterfact.engine.linalg.Gram#vectorApi()} says the module is in the boot layer (and C2 runs).
 *
 * <p>Determinism: a block's lane sums are reduced in a fixed order (even and odd lanes apart, then added),
 * and the rows after the block's last whole vector go through {@link ScalarIpwKernel}; so a block's sums are
 * a fixed function of its rows, and {@link IpwCalculation} adds the blocks in block order: results do not
 * depend on the number of threads.
 */
final class VectorIpwKernel implements IpwKernel {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The distinct sums of a block (the arguments of {@link IpwKernel#add} after its offset). */
    private static final int SUMS_KEPT = 28;
    /** Per thread, the lanes of a block's sums before their reduction (one array per thread, not per block). */
    private static final ThreadLocal<double[]> LANE_SCRATCH =
            ThreadLocal.withInitial(() -> new double[SUMS_KEPT * LANES]);

    /** Null when the platform's preferred vector holds a single double (nothing to gain over the scalar kernel). */
    static final VectorIpwKernel INSTANCE = LANES >= 2 ? new VectorIpwKernel() : null;

    private VectorIpwKernel() {
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    /**
     * As {@link ScalarIpwKernel#armSums}. A unit left out by {@code keep} gets r = 0 and y' = 0 (blended, not
     * multiplied: its e may be 0 or 1 and its y NaN), so it adds exact zeros to every weighted sum, as the
     * scalar kernel's skipped unit adds nothing.
     */
    @Override
    public void armSums(double[] y, double[] t, double[] e, boolean[] keep, double c0, double c1, boolean[] asked,
                        int lo, int hi, double[] out, int at) {
        boolean ate = asked[Weighting.ATE.ordinal()];
        boolean att = asked[Weighting.ATT.ordinal()];
        boolean atc = asked[Weighting.ATC.ordinal()];
        int end = lo + SPECIES.loopBound(hi - lo);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        DoubleVector shift0 = DoubleVector.broadcast(SPECIES, c0);
        DoubleVector dc = DoubleVector.broadcast(SPECIES, c1 - c0);
        DoubleVector units = zero;
        DoubleVector treated = zero;
        DoubleVector tBad = zero;
        DoubleVector eBad = zero;
        // per estimand and arm (1 treated, 0 control): Σ w, Σ w·y', Σ w², Σ w²·y', Σ w²·y'², as in the scalar kernel
        DoubleVector aw1 = zero, ay1 = zero, az1 = zero, au1 = zero, av1 = zero;
        DoubleVector aw0 = zero, ay0 = zero, az0 = zero, au0 = zero, av0 = zero;
        DoubleVector ty1 = zero, tv1 = zero, tw0 = zero, ty0 = zero, tz0 = zero, tu0 = zero, tv0 = zero;
        DoubleVector cw1 = zero, cy1 = zero, cz1 = zero, cu1 = zero, cv1 = zero, cy0 = zero, cv0 = zero;
        for (int i = lo; i < end; i += LANES) {
            DoubleVector ti = DoubleVector.fromArray(SPECIES, t, i);
            DoubleVector ei = DoubleVector.fromArray(SPECIES, e, i);
            DoubleVector ui = one.sub(ti);
            // the checks over all units: |t(1 − t)|, and e outside (0, 1) (NaN included: the comparison fails)
            tBad = tBad.add(ti.mul(ui).abs());
            eBad = eBad.add(one.blend(zero, ei.mul(one.sub(ei)).compare(VectorOperators.GT, 0.0)));
            // e or 1 − e exactly for a 0/1 treatment, and y − c0 or y − (c0 + dc), as in the scalar kernel
            DoubleVector r = one.div(ei.fma(ti.sub(ui), ui));
            DoubleVector ys = DoubleVector.fromArray(SPECIES, y, i).sub(ti.fma(dc, shift0));
            if (keep == null) {
                units = units.add(one);
                treated = treated.add(ti);
            } else {
                VectorMask<Double> kept = VectorMask.fromArray(SPECIES, keep, i);
                r = zero.blend(r, kept);
                ys = zero.blend(ys, kept);
                units = units.add(zero.blend(one, kept));
                treated = treated.add(zero.blend(ti, kept));
            }
            if (ate) {
                DoubleVector w1 = ti.mul(r);
                DoubleVector w0 = ui.mul(r);
                DoubleVector wy1 = w1.mul(ys);
                DoubleVector wy0 = w0.mul(ys);
                aw1 = aw1.add(w1);
                ay1 = ay1.add(wy1);
                az1 = w1.fma(w1, az1);
                au1 = w1.fma(wy1, au1);
                av1 = wy1.fma(wy1, av1);
                aw0 = aw0.add(w0);
                ay0 = ay0.add(wy0);
                az0 = w0.fma(w0, az0);
                au0 = w0.fma(wy0, au0);
                av0 = wy0.fma(wy0, av0);
            }
            if (att) {
                // the treated arm's weight is T itself (see IpwKernel.add)
                DoubleVector y1 = ti.mul(ys);
                ty1 = ty1.add(y1);
                tv1 = y1.fma(ys, tv1);
                DoubleVector w0 = ui.mul(ei).mul(r);
                DoubleVector wy0 = w0.mul(ys);
                tw0 = tw0.add(w0);
                ty0 = ty0.add(wy0);
                tz0 = w0.fma(w0, tz0);
                tu0 = w0.fma(wy0, tu0);
                tv0 = wy0.fma(wy0, tv0);
            }
            if (atc) {
                // the control arm's weight is 1 − T itself
                DoubleVector y0 = ui.mul(ys);
                cy0 = cy0.add(y0);
                cv0 = y0.fma(ys, cv0);
                DoubleVector w1 = ti.mul(one.sub(ei)).mul(r);
                DoubleVector wy1 = w1.mul(ys);
                cw1 = cw1.add(w1);
                cy1 = cy1.add(wy1);
                cz1 = w1.fma(w1, cz1);
                cu1 = w1.fma(wy1, cu1);
                cv1 = wy1.fma(wy1, cv1);
            }
        }
        // the rows after the last whole vector, one by one, then the lanes' sums on top (a fixed order)
        if (end < hi) {
            ScalarIpwKernel.INSTANCE.armSums(y, t, e, keep, c0, c1, asked, end, hi, out, at);
        }
        // the 28 vectors' lanes stored side by side into this thread's scratch, then each reduced: stores of
        // vectors that C2 keeps in registers (handing each vector to a reducing method boxed it: 1.3 MB allocated
        // per pass over 1M rows instead of 0.3 MB)
        double[] lanes = LANE_SCRATCH.get();
        units.intoArray(lanes, 0);
        treated.intoArray(lanes, LANES);
        tBad.intoArray(lanes, 2 * LANES);
        eBad.intoArray(lanes, 3 * LANES);
        aw1.intoArray(lanes, 4 * LANES);
        ay1.intoArray(lanes, 5 * LANES);
        az1.intoArray(lanes, 6 * LANES);
        au1.intoArray(lanes, 7 * LANES);
        av1.intoArray(lanes, 8 * LANES);
        aw0.intoArray(lanes, 9 * LANES);
        ay0.intoArray(lanes, 10 * LANES);
        az0.intoArray(lanes, 11 * LANES);
        au0.intoArray(lanes, 12 * LANES);
        av0.intoArray(lanes, 13 * LANES);
        ty1.intoArray(lanes, 14 * LANES);
        tv1.intoArray(lanes, 15 * LANES);
        tw0.intoArray(lanes, 16 * LANES);
        ty0.intoArray(lanes, 17 * LANES);
        tz0.intoArray(lanes, 18 * LANES);
        tu0.intoArray(lanes, 19 * LANES);
        tv0.intoArray(lanes, 20 * LANES);
        cw1.intoArray(lanes, 21 * LANES);
        cy1.intoArray(lanes, 22 * LANES);
        cz1.intoArray(lanes, 23 * LANES);
        cu1.intoArray(lanes, 24 * LANES);
        cv1.intoArray(lanes, 25 * LANES);
        cy0.intoArray(lanes, 26 * LANES);
        cv0.intoArray(lanes, 27 * LANES);
        // in the order of IpwKernel.add: the four counts, the ATE's ten sums, the ATT's seven, the ATC's seven
        IpwKernel.add(out, at, sum(lanes, 0), sum(lanes, LANES), sum(lanes, 2 * LANES), sum(lanes, 3 * LANES),
                sum(lanes, 4 * LANES), sum(lanes, 5 * LANES), sum(lanes, 6 * LANES), sum(lanes, 7 * LANES),
                sum(lanes, 8 * LANES), sum(lanes, 9 * LANES), sum(lanes, 10 * LANES), sum(lanes, 11 * LANES),
                sum(lanes, 12 * LANES), sum(lanes, 13 * LANES), sum(lanes, 14 * LANES), sum(lanes, 15 * LANES),
                sum(lanes, 16 * LANES), sum(lanes, 17 * LANES), sum(lanes, 18 * LANES), sum(lanes, 19 * LANES),
                sum(lanes, 20 * LANES), sum(lanes, 21 * LANES), sum(lanes, 22 * LANES), sum(lanes, 23 * LANES),
                sum(lanes, 24 * LANES), sum(lanes, 25 * LANES), sum(lanes, 26 * LANES), sum(lanes, 27 * LANES));
    }

    /**
     * The sum of the lanes at {@code lanes[o..o + LANES)} in a fixed order (even and odd lanes apart, then
     * added), not {@code reduceLanes}, whose order for floating-point addition the API leaves unspecified.
     */
    private static double sum(double[] lanes, int o) {
        double even = 0;
        double odd = 0;
        int l = 0;
        for (; l + 1 < LANES; l += 2) {
            even += lanes[o + l];
            odd += lanes[o + l + 1];
        }
        if (l < LANES) {
            even += lanes[o + l];
        }
        return even + odd;
    }
}
