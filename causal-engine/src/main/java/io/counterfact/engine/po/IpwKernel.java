package io.counterfact.engine.po;

/**
 * The inner loop of {@link IpwCalculation}'s one pass: a block's counts and per-arm sums. Two
 * implementations, chosen once per JVM by {@link IpwCalculation} on the engine's one switch
 * ({@link io.counterfact.engine.linalg.Gram#vectorApi()}): {@link ScalarIpwKernel} (plain Java, always
 * there) and {@link VectorIpwKernel} (the incubating Vector API). Both are deterministic for given inputs
 * (the vector one for a given vector width), so a block's sums never depend on the thread that ran it;
 * they differ from each other in rounding only (the same sums in another order).
 */
interface IpwKernel {

    /** Short name for reports ("scalar", "vector-512" ...). */
    String name();

    /**
     * Adds the {@link IpwCalculation#SUMS} of rows [lo, hi) to {@code out[at..)}: units kept, treated kept,
     * Σ |T(1 − T)| and the count of e outside (0, 1) over all units, then per estimand (ATE, ATT, ATC; zero
     * for those not {@code asked}) and arm (treated, control), with the arm's weight w and y' = y − c_arm:
     * Σ w, Σ w·y', Σ w², Σ w²·y', Σ w²·y'². The treated arm's shift is c0 + (c1 − c0) (see
     * {@link IpwCalculation}).
     */
    void armSums(double[] y, double[] t, double[] e, boolean[] keep, double c0, double c1, boolean[] asked, int lo,
                 int hi, double[] out, int at);

    /**
     * Adds one block's sums to {@code out[at..)} in the layout of {@link IpwCalculation#SUMS}: the one place
     * that knows it, for both kernels. The ATT's treated weight is T itself (Σ w = Σ w² = treated,
     * Σ w²y' = Σ w·y'), the ATC's control weight 1 − T.
     */
    @SuppressWarnings("java:S107")  // the block's 21 distinct sums, written once
    static void add(double[] out, int at, double units, double treated, double tBad, double eBad,
                    double aw1, double ay1, double az1, double au1, double av1,
                    double aw0, double ay0, double az0, double au0, double av0,
                    double ty1, double tv1, double tw0, double ty0, double tz0, double tu0, double tv0,
                    double cw1, double cy1, double cz1, double cu1, double cv1, double cy0, double cv0) {
        double controls = units - treated;
        double[] sums = {units, treated, tBad, eBad,
                aw1, ay1, az1, au1, av1, aw0, ay0, az0, au0, av0,
                treated, ty1, treated, ty1, tv1, tw0, ty0, tz0, tu0, tv0,
                cw1, cy1, cz1, cu1, cv1, controls, cy0, controls, cy0, cv0};
        for (int s = 0; s < sums.length; s++) {
            out[at + s] += sums[s];
        }
    }
}
