package io.counterfact.estimation.replica;

import java.util.List;

/**
 * What the replica knows of one dataset version: its state, how many of its row groups have landed, and why it is
 * CORRUPT (or what a PENDING version waits for) in {@code reason}.
 */
public record ReplicaVersion(String datasetId, int version, Status status, long rows, String checksum,
                             int rowGroupsExpected, int rowGroupsPresent, List<ColumnInfo> columns, String reason) {

    public enum Status {
        /** Committed, but some row groups have not landed yet (or the checksum chain cannot be checked yet). */
        PENDING,
        /** Every row group present, every batch digest and the version checksum recomputed exactly. */
        READY,
        /** The data received does not match what the commit event states: never served. */
        CORRUPT
    }

    /** A column as the dataset's schema declares it ({@code type}: numeric, binary or categorical). */
    public record ColumnInfo(String name, String type) {
    }

    public boolean isTerminal() {
        return status != Status.PENDING;
    }
}
