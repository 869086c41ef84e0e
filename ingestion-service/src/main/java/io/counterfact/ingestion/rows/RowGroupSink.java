package io.counterfact.ingestion.rows;

/** Receives each encoded row group of an upload as soon as it is full (so the upload is never held whole). */
@FunctionalInterface
public interface RowGroupSink {
    void accept(int index, int rows, byte[] payload);
}
