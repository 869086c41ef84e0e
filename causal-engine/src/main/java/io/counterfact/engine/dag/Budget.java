package io.counterfact.engine.dag;

import java.time.Duration;

/**
 * The time a request's analysis may take: a deadline on {@link System#nanoTime()}. Listings check it
 * between steps (each step linear in the graph) and stop with {@code truncatedBy: "time"} once it has
 * passed; an analysis splits its budget into phases ({@link #until}) so one costly listing cannot
 * leave nothing for the next.
 */
final class Budget {

    /** No deadline. */
    static final Budget NONE = new Budget(0, Long.MAX_VALUE);

    private final long start;
    private final long total;

    private Budget(long start, long total) {
        this.start = start;
        this.total = total;
    }

    /** A budget of {@code d} from now (null or non-positive: no deadline). */
    static Budget of(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            return NONE;
        }
        return new Budget(System.nanoTime(), d.toNanos());
    }

    /** The same start with the deadline at {@code fraction} of the total: a phase of the analysis. */
    Budget until(double fraction) {
        if (total == Long.MAX_VALUE) {
            return this;
        }
        return new Budget(start, (long) (total * fraction));
    }

    boolean expired() {
        return total != Long.MAX_VALUE && System.nanoTime() - start > total;
    }
}
