package io.counterfact.ingestion.dataset;

import java.util.List;

/** Body of {@code POST /api/datasets}. */
public record NewDataset(String name, List<ColumnSpec> columns) {
}
