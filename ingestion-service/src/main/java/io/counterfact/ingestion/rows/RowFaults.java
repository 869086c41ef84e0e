package io.counterfact.ingestion.rows;

import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;

import java.util.ArrayList;
import java.util.List;

/**
 * The faults found in one upload. Parsing goes on after the first fault (rows are no longer stored, the batch is
 * rejected whole) so that one answer names up to {@link #LIMIT} of them, not just the first.
 */
public final class RowFaults {

    public static final int LIMIT = 20;

    private final List<Problem.Fault> faults = new ArrayList<>();

    public void add(Long row, String column, String reason) {
        if (faults.size() < LIMIT) {
            // column names and values quoted here come from the upload: control characters and lone surrogates escaped
            faults.add(new Problem.Fault(row, Values.visible(column), null, Values.visible(reason)));
        }
    }

    public boolean any() {
        return !faults.isEmpty();
    }

    public boolean full() {
        return faults.size() >= LIMIT;
    }

    /** The 400 that rejects the whole batch; its detail reads on its own, the list names each fault. */
    public ProblemException toProblem() {
        Problem.Fault first = faults.get(0);
        StringBuilder detail = new StringBuilder("batch rejected, nothing stored: ");
        if (first.row() != null) {
            detail.append("row ").append(first.row());
            if (first.column() != null) {
                detail.append(", ");
            }
        }
        if (first.column() != null) {
            detail.append("column '").append(first.column()).append("'");
        }
        if (first.row() != null || first.column() != null) {
            detail.append(": ");
        }
        detail.append(first.reason());
        if (faults.size() > 1) {
            detail.append(" (and ").append(faults.size() - 1).append(full() ? "+" : "").append(" more; see errors)");
        }
        return ProblemException.badInput(detail.toString(), List.copyOf(faults));
    }
}
