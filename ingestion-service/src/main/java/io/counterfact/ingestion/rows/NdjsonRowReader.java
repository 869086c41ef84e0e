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
        // where the parser is, so that a fault thrown from inside it (bad bytes) names the row and the field it hit:
        // the column whose value is being read, else the last field name read (the bad bytes are in a name after it)
        String valueOf = null;
        String lastName = null;
        boolean betweenRows = true;
        // Reader-based, not Jackson's byte parser: that one decodes UTF-8 itself and lets overlong encodings through
        // (an overlong NUL becomes U+0000), names no column for bad bytes, and would also take UTF-16 and UTF-32
        JsonParser p = JSON.createParser(new StrictUtf8Reader(in));
        try (p) {
            JsonToken token;
            while (!faults.full() && (token = p.nextToken()) != null) {
                row++;
                betweenRows = false;
                lastName = null;
                if (token != JsonToken.START_OBJECT) {
                    faults.add(row, null, "expected a JSON object per line (line " + p.currentLocation().getLineNr() + ")");
                    p.skipChildren();
                    endRow();
                    betweenRows = true;
                    continue;
                }
                java.util.Arrays.fill(present, false);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    lastName = name;
                    valueOf = name;
                    JsonToken value = p.nextToken();
                    Integer column = schema.positions().get(name);
                    if (column == null) {
                        faults.add(row, name, "field is not a column of the dataset's schema " + schema.names());
                        p.skipChildren();
                        valueOf = null;
                        continue;
                    }
                    if (present[column]) {
                        faults.add(row, name, "field appears twice in the row");
                    }
                    present[column] = true;
                    value(p, value, row, column, name);
                    valueOf = null;
                }
                for (int c = 0; c < present.length; c++) {
                    if (!present[c]) {
                        faults.add(row, schema.names().get(c), "field missing from the row (use null for a missing value)");
                    }
                }
                endRow();
                betweenRows = true;
            }
        } catch (StrictUtf8Reader.InvalidUtf8Exception e) {
            if (betweenRows) {
                faults.add(row + 1, null, e.getMessage());
            } else if (valueOf != null) {
                faults.add(row, valueOf, e.getMessage());
            } else if (p.currentName() != null && !p.currentName().equals(lastName)) {
                // Jackson reads a name and a number or literal after it in one step: the name was read, the value not
                faults.add(row, p.currentName(), e.getMessage());
            } else {
                faults.add(row, null, (lastName == null ? "the first field name: " : "the field name after '"
                        + lastName + "': ") + e.getMessage());
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "";
            faults.add(row + (betweenRows ? 1 : 0), null, "malformed JSON" + where + ": " + e.getOriginalMessage());
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
