package io.counterfact.ingestion.rows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.counterfact.ingestion.dataset.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * CSV (RFC 4180, comma-separated, UTF-8) with a header row naming every column of the schema, in any order.
 * Streams: Jackson's CSV parser reads one record at a time from the request body.
 */
public final class CsvRowReader extends RowReader {

    private static final CsvMapper MAPPER = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .build();

    public CsvRowReader(Schema schema, RowGroupSink sink) {
        super(schema, sink);
    }

    @Override
    protected void parse(InputStream in) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        try (MappingIterator<String[]> records = MAPPER.readerFor(String[].class)
                .with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!records.hasNextValue()) {
                faults.add(null, null, "empty body: expected a header row naming the columns " + schema.names());
                return;
            }
            int[] positions = header(records.nextValue());
            if (positions == null) {
                return;
            }
            long row = 0;
            while (!faults.full() && records.hasNextValue()) {
                String[] fields = records.nextValue();
                row++;
                if (fields.length != positions.length) {
                    faults.add(row, null, "has " + fields.length + " fields, the header has " + positions.length
                            + " (line " + records.getCurrentLocation().getLineNr() + ")");
                    endRow();
                    continue;
                }
                for (int i = 0; i < fields.length; i++) {
                    text(row, positions[i], fields[i]);
                }
                endRow();
            }
        } catch (RuntimeJsonMappingException e) {
            malformed(e.getCause() instanceof JsonProcessingException p ? p : null, e.getMessage());
        } catch (JsonProcessingException e) {
            malformed(e, e.getOriginalMessage());
        }
    }

    private void malformed(JsonProcessingException e, String message) {
        String where = e != null && e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "";
        faults.add(rowsRead() + 1, null, "malformed CSV" + where + ": "
                + (e != null ? e.getOriginalMessage() : message));
    }

    /** @return for each header position the schema column it names, or null after recording the faults */
    private int[] header(String[] names) {
        int[] positions = new int[names.length];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            String name = i == 0 && names[i].startsWith("\uFEFF") ? names[i].substring(1) : names[i]; // a UTF-8 BOM
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
