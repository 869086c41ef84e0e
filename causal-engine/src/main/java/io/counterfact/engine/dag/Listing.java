package io.counterfact.engine.dag;

import java.util.List;

/**
 * Items of a listing and why it stopped early: null (it is complete), {@code "count"} (the limit was
 * reached and more exist) or {@code "time"} (the request's time budget ran out).
 */
record Listing<T>(List<T> items, String truncatedBy) {

    static final String COUNT = "count";
    static final String TIME = "time";

    boolean truncated() {
        return truncatedBy != null;
    }
}
