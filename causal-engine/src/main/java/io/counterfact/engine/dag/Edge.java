package io.counterfact.engine.dag;

import java.util.Objects;

/**
 * An edge between two declared nodes: {@code from -> to} when directed, {@code from <-> to} when
 * it stands for a latent common cause.
 */
public record Edge(String from, String to) {

    public Edge {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** dagitty spelling of a directed edge. */
    @Override
    public String toString() {
        return from + " -> " + to;
    }

    /** dagitty spelling of a bidirected edge. */
    public String toBidirectedString() {
        return from + " <-> " + to;
    }
}
