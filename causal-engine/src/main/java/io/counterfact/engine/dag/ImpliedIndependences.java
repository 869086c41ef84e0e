package io.counterfact.engine.dag;

import java.util.List;

/**
 * The graph's testable implications, stopped at a limit or at the time budget ({@code truncated}
 * set when more may exist, {@code truncatedBy} {@code "count"} or {@code "time"}).
 */
public record ImpliedIndependences(List<ConditionalIndependence> items, boolean truncated, String truncatedBy) {

    public ImpliedIndependences {
        items = List.copyOf(items);
    }

    public ImpliedIndependences(List<ConditionalIndependence> items, boolean truncated) {
        this(items, truncated, truncated ? "count" : null);
    }
}
