package io.counterfact.ingestion.rows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.counterfact.ingestion.dataset.Schema;

import java.io.IOException;
import java.io.InputStream;

/**
 * Newline-delimited JSON: one object per row, a key per column of the schema ({@code null} for a missing value).
 * Streams token by token with Jackson's parser; no row object is built.
 */
public final class NdjsonRowReader extends RowReader {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    public NdjsonRowReader(Schema schema, RowGroupSink sink) {
        super(schema, sink);
    }

    @Override
    protected void parse(InputStream in) throws IOException {
        boolean[] present = new boolean[schema.size()];
        long row = 0;
        try (JsonParser p = JSON.createParser(in)) {
            JsonToken token;
            while (!faults.full() && (token = p.nextToken()) != null) {
                row++;
                if (token != JsonToken.START_OBJECT) {
                    faults.add(row, null, "expected a JSON object per line (line " + p.currentLocation().getLineNr() + ")");
                    p.skipChildren();
                    endRow();
                    continue;
                }
                java.util.Arrays.fill(present, false);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    Integer column = schema.positions().get(name);
                    if (column == null) {
                        faults.add(row, name, "field is not a column of the dataset's schema " + schema.names());
                        p.skipChildren();
                        continue;
                    }
                    if (present[column]) {
                        faults.add(row, name, "field appears twice in the row");
                    }
                    present[column] = true;
                    value(p, value, row, column, name);
                }
                for (int c = 0; c < present.length; c++) {
                    if (!present[c]) {
                        faults.add(row, schema.names().get(c), "field missing from the row (use null for a missing value)");
                    }
                }
                endRow();
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "";
            faults.add(row, null, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
    }

    private void value(JsonParser p, JsonToken value, long row, int column, String name) throws IOException {
        switch (value) {
            case VALUE_NULL -> missing(column);
            case VALUE_STRING -> text(row, column, p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                double v = p.getDoubleValue();
                if (!Double.isFinite(v)) {
                    faults.add(row, name, Values.numericFault(p.getText()));
                } else {
                    number(row, column, v, p.getText());
                }
            }
            case VALUE_TRUE, VALUE_FALSE -> bool(row, column, value == JsonToken.VALUE_TRUE);
            default -> {
                faults.add(row, name, "expected a number, a string, a boolean or null, not a nested " +
                        (value == JsonToken.START_ARRAY ? "array" : "object"));
                p.skipChildren();
            }
        }
    }
}
