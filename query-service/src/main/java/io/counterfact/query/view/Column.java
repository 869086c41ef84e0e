package io.counterfact.query.view;

/** A column of a dataset's schema: {@code {"name", "type"}}, type numeric|binary|categorical. */
public record Column(String name, String type) {
}
