package io.counterfact.engine.dag;

import java.util.List;

/** The graph's testable implications, stopped at a limit ({@code truncated} set when more exist). */
public record ImpliedIndependences(List<ConditionalIndependence> items, boolean truncated) {

    public ImpliedIndependences {
        items = List.copyOf(items);
    }
}
