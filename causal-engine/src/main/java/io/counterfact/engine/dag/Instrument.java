package io.counterfact.engine.dag;

import java.util.List;

/** An instrument implied by the graph, valid when conditioning on {@code given} (empty for an unconditional instrument). */
public record Instrument(String instrument, List<String> given) {

    public Instrument {
        given = List.copyOf(given);
    }
}
