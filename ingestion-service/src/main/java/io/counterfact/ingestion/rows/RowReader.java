package io.counterfact.ingestion.rows;

import io.counterfact.common.chunks.ColumnType;
import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.common.http.ProblemException;
import io.counterfact.ingestion.dataset.Schema;

import java.io.IOException;
import java.io.InputStream;

/**
 * Streams validated rows from an upload into row groups. The format readers ({@link CsvRowReader},
 * {@link NdjsonRowReader}) find the fields; this class holds the value rules, the row-group buffer and the faults.
 */
public abstract class RowReader {

    /** What an upload amounted to. */
    public record Summary(long rows, int rowGroups) {
    }

    protected final Schema schema;
    protected final RowFaults faults = new RowFaults();
    private final RowGroupBuilder builder;
    private final RowGroupSink sink;
    private long rows;
    private int groups;

    protected RowReader(Schema schema, RowGroupSink sink) {
        this.schema = schema;
        this.sink = sink;
        this.builder = new RowGroupBuilder(schema.types());
    }

    /**
     * Reads the whole upload.
     *
     * @throws ProblemException 400 naming the rows, columns and reasons if anything is wrong (then the caller
     *                          must discard whatever the sink received)
     */
    public final Summary read(InputStream in) throws IOException {
        parse(in);
        if (!faults.any() && rows == 0) {
            faults.add(null, null, "no rows: the body has no data rows");
        }
        if (faults.any()) {
            throw faults.toProblem();
        }
        if (!builder.isEmpty()) {
            flush();
        }
        return new Summary(rows, groups);
    }

    /** Parses the stream, calling {@link #text}/{@link #missing} per field and {@link #endRow} per row. */
    protected abstract void parse(InputStream in) throws IOException;

    /** A field given as text (CSV, or a JSON string/number). */
    protected final void text(long row, int column, String value) {
        if (Values.isMissing(value)) {
            missing(column);
            return;
        }
        ColumnType type = schema.types().get(column);
        switch (type) {
            case NUMERIC -> {
                double v = Values.parseFinite(value);
                if (Double.isNaN(v)) {
                    faults.add(row, schema.names().get(column), Values.numericFault(value));
                } else {
                    builder.setNumeric(column, v);
                }
            }
            case BINARY -> {
                int b = Values.parseBinary(value);
                if (b == Values.NOT_BINARY) {
                    faults.add(row, schema.names().get(column), Values.binaryFault(value));
                } else {
                    builder.setBinary(column, b);
                }
            }
            case CATEGORICAL -> {
                String fault = Values.textFault(value);
                if (fault != null) {
                    faults.add(row, schema.names().get(column), fault);
                } else {
                    builder.setCategorical(column, value);
                }
            }
        }
    }

    /** A field given as a JSON number (already finite). */
    protected final void number(long row, int column, double value, String text) {
        switch (schema.types().get(column)) {
            case NUMERIC -> builder.setNumeric(column, value);
            case BINARY -> text(row, column, text);
            case CATEGORICAL -> builder.setCategorical(column, text);
        }
    }

    protected final void bool(long row, int column, boolean value) {
        switch (schema.types().get(column)) {
            case BINARY -> builder.setBinary(column, value ? 1 : 0);
            case NUMERIC -> faults.add(row, schema.names().get(column), "expected a number, got " + value);
            case CATEGORICAL -> builder.setCategorical(column, Boolean.toString(value));
        }
    }

    protected final void missing(int column) {
        switch (schema.types().get(column)) {
            case NUMERIC -> builder.setNumeric(column, Double.NaN);
            case BINARY -> builder.setBinary(column, -1);
            case CATEGORICAL -> builder.setCategorical(column, null);
        }
    }

    protected final void endRow() {
        rows++;
        if (faults.any()) {
            return; // the batch is rejected anyway: keep validating, stop encoding and storing
        }
        builder.endRow();
        if (builder.isFull()) {
            flush();
        }
    }

    protected final long rowsRead() {
        return rows;
    }

    private void flush() {
        sink.accept(groups++, builder.rows(), builder.encode());
        builder.reset();
    }
}
