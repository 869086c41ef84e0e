package io.counterfact.engine.dag;

import java.util.List;

/** A testable implication of the graph: x is independent of y given the nodes of {@code given}. */
public record ConditionalIndependence(String x, String y, List<String> given) {

    public ConditionalIndependence {
        given = List.copyOf(given);
    }

    /** dagitty's spelling, {@code x _||_ y | a, b}. */
    @Override
    public String toString() {
        return x + " _||_ " + y + (given.isEmpty() ? "" : " | " + String.join(", ", given));
    }
}
