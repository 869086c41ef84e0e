package io.counterfact.engine;

/** Receives an estimation's progress, e.g. to publish Progress events. Called from the estimating thread. */
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
