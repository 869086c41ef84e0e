package io.counterfact.ingestion.dataset;

import io.counterfact.common.chunks.ColumnType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A dataset's column schema in the form the row parsers use: names, types, and a name → position index. */
public record Schema(List<String> names, List<ColumnType> types, Map<String, Integer> positions) {

    public static Schema of(List<ColumnSpec> columns) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name(), i);
        }
        return new Schema(columns.stream().map(ColumnSpec::name).toList(),
                columns.stream().map(c -> ColumnType.fromApiName(c.type())).toList(), Map.copyOf(positions));
    }

    public int size() {
        return names.size();
    }
}
