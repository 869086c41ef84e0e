package io.counterfact.ingestion.dataset;

/** A column of a dataset's schema, as the API shows it: {@code {"name", "type"}} with type numeric|binary|categorical. */
public record ColumnSpec(String name, String type) {
}
