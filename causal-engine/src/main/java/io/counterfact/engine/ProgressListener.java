package io.counterfact.engine;

/**
 * Receives an estimation's progress, e.g. to publish Progress events. The engine may call it from
 * its worker threads (bootstrap replicates), but one call at a time and with fractions that never decrease.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores progress. */
    ProgressListener NONE = (fraction, stage) -> { };

    /**
     * @param fraction done so far, from 0 to 1, never decreasing
     * @param stage    what is running, e.g. {@code "propensity"}, {@code "bootstrap"}
     */
    void onProgress(double fraction, String stage);
}
