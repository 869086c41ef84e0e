package io.counterfact.engine.po;

import java.util.Arrays;

/**
 * Scratch for one row block of the fits' blocked passes (the logistic likelihood, the arm-wise outcome models), kept
 * per thread: a fit makes a few passes, and a bootstrap refits dozens of times per estimation; fresh scratch per pass
 * was ~100-250 KB of garbage each time, about a third of what an AIPW bootstrap allocated. A block pass neither nests
 * another block pass nor waits for other tasks, so a thread's scratch is never in use twice at once; a pass must not
 * assume the scratch is zeroed or keep it after it returns.
 */
final class BlockScratch {

    private static final ThreadLocal<BlockScratch> PER_THREAD = ThreadLocal.withInitial(BlockScratch::new);

    /** The length of every array below. */
    private int len;
    private double[] first = new double[0];
    private double[] second = new double[0];
    private int[] firstInts = new int[0];
    private int[] secondInts = new int[0];
    /** Column arrays; grows, never shrinks. */
    private double[][] columns = new double[0][];

    private BlockScratch() {
    }

    /** This thread's scratch, its arrays at least {@code len} long. */
    static BlockScratch of(int len) {
        BlockScratch s = PER_THREAD.get();
        if (s.len < len) {
            s.len = len;
            s.first = new double[len];
            s.second = new double[len];
            s.firstInts = new int[len];
            s.secondInts = new int[len];
            s.columns = new double[0][];
        }
        return s;
    }

    /** {@code count} column arrays, the {@code from}-th on: distinct ranges are distinct arrays. */
    double[][] columns(int from, int count) {
        if (columns.length < from + count) {
            double[][] more = Arrays.copyOf(columns, from + count);
            for (int j = columns.length; j < more.length; j++) {
                more[j] = new double[len];
            }
            columns = more;
        }
        return Arrays.copyOfRange(columns, from, from + count);
    }

    double[] first() {
        return first;
    }

    double[] second() {
        return second;
    }

    int[] firstInts() {
        return firstInts;
    }

    int[] secondInts() {
        return secondInts;
    }
}
