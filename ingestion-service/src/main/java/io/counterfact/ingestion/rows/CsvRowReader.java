package io.counterfact.ingestion.rows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.counterfact.ingestion.dataset.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV (RFC 4180, comma-separated, UTF-8) with a header row naming every column of the schema, in any order.
 * Streams: Jackson's CSV parser reads one field at a time from the request body, decoded by a
 * {@link StrictUtf8Reader} so that bytes that are not UTF-8 reject the batch instead of being stored as U+FFFD.
 */
public final class CsvRowReader extends RowReader {

    private static final CsvMapper MAPPER = CsvMapper.builder()
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .build();

    /** Header fields past the schema's columns that are still read (and named as unknown) before giving up. */
    static final int EXTRA_HEADER_FIELDS = 100;

    public CsvRowReader(Schema schema, RowGroupSink sink) {
        super(schema, sink);
    }

    @Override
    protected void parse(InputStream in) throws IOException {
        // where the parser is, so that a fault thrown from inside it (bad bytes) names the row and column it hit
        long row = 0;
        int field = 0;
        boolean betweenRows = false;
        String[] header = null;
        try (CsvParser p = (CsvParser) MAPPER.getFactory().createParser(new StrictUtf8Reader(in))) {
            p.setSchema(CsvSchema.emptySchema());
            if (p.nextToken() != JsonToken.START_ARRAY) {
                faults.add(null, null, "empty body: expected a header row naming the columns " + schema.names());
                return;
            }
            List<String> names = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t == JsonToken.VALUE_STRING; t = p.nextToken()) {
                if (field == schema.size() + EXTRA_HEADER_FIELDS) {
                    // a header of a billion commas must not become a billion names in memory
                    faults.add(null, null, "the header has more than " + field + " fields; the dataset has "
                            + schema.size() + " columns " + schema.names());
                    return;
                }
                names.add(p.getText());
                field++;
            }
            header = names.toArray(String[]::new);
            int[] positions = header(header);
            if (positions == null) {
                return;
            }
            String[] fields = new String[positions.length];
            while (!faults.full()) {
                betweenRows = true;
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    break;
                }
                betweenRows = false;
                row++;
                field = 0;
                for (JsonToken t = p.nextToken(); t == JsonToken.VALUE_STRING; t = p.nextToken()) {
                    if (field < fields.length) {
                        fields[field] = p.getText();
                    }
                    field++;
                }
                if (field != positions.length) {
                    faults.add(row, null, "has " + field + " fields, the header has " + positions.length
                            + " (line " + p.currentLocation().getLineNr() + ")");
                } else {
                    for (int i = 0; i < field; i++) {
                        text(row, positions[i], fields[i]);
                    }
                }
                endRow();
            }
        } catch (StrictUtf8Reader.InvalidUtf8Exception e) {
            if (header == null) {
                faults.add(null, null, "header row, field " + (field + 1) + ": " + e.getMessage());
            } else {
                // the parser stops in the field that holds the bad bytes; between rows, that is the next row's first
                long at = betweenRows ? row + 1 : row;
                int index = betweenRows ? 0 : field;
                boolean named = index < header.length; // else a field past the header's, in a ragged row
                faults.add(at, named ? header[index] : null,
                        (named ? "" : "field " + (index + 1) + ": ") + e.getMessage());
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "";
            faults.add(row + (betweenRows ? 1 : 0), null, "malformed CSV" + where + ": " + e.getOriginalMessage());
        }
    }

    /** @return for each header position the schema column it names, or null after recording the faults */
    private int[] header(String[] names) {
        int[] positions = new int[names.length];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            Integer position = schema.positions().get(name);
            if (!seen.add(name)) {
                faults.add(null, name, "duplicate column in the header");
            } else if (position == null) {
                faults.add(null, name, "the header names a column that is not in the dataset's schema " + schema.names());
            } else {
                positions[i] = position;
            }
        }
        for (String expected : schema.names()) {
            if (!seen.contains(expected)) {
                faults.add(null, expected, "column of the schema is missing from the header");
            }
        }
        return faults.any() ? null : positions;
    }
}
