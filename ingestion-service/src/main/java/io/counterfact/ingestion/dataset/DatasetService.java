package io.counterfact.ingestion.dataset;

import io.counterfact.common.chunks.Checksums;
import io.counterfact.common.chunks.ColumnType;
import io.counterfact.common.events.Topics;
import io.counterfact.common.http.ProblemException;
import io.counterfact.ingestion.outbox.OutboxWriter;
import io.counterfact.ingestion.rows.CsvRowReader;
import io.counterfact.ingestion.rows.NdjsonRowReader;
import io.counterfact.ingestion.rows.RowGroupSink;
import io.counterfact.ingestion.rows.RowReader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Registering datasets, appending validated rows, sealing versions; each a single transaction with its events. */
@ApplicationScoped
public class DatasetService {

    /** Column names double as DAG node names and model terms: keep them plain identifiers. */
    static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,127}");
    static final int MAX_COLUMNS = 2000;
    static final int MAX_NAME = 200;

    public enum Format { CSV, NDJSON }

    /** What an append answers. {@code replayed} when an Idempotency-Key was seen before and nothing was stored. */
    public record Appended(long accepted, UUID batch, boolean replayed) {
    }

    public record Sealed(int version, long rows, String checksum) {
    }

    @Inject
    Transactions transactions;

    @Inject
    DatasetRepository repository;

    @Inject
    OutboxWriter outbox;

    @Inject
    DatasetEvents events;

    public DatasetView register(NewDataset request, String traceparent) {
        List<ColumnSpec> columns = validate(request);
        String id = "ds_" + UUID.randomUUID().toString().replace("-", "");
        String name = request.name().strip();
        return transactions.inTransaction(c -> {
            repository.insertDataset(c, id, name, columns);
            outbox.json(c, Topics.DATASETS, id, events.registered(id, name, columns, traceparent));
            return repository.find(c, id, false).orElseThrow();
        });
    }

    public DatasetView get(String id) {
        return transactions.inTransaction(c -> existing(c, id, false));
    }

    public List<DatasetView> list(int limit, String after) {
        return transactions.inTransaction(c -> repository.list(c, limit, after));
    }

    public Appended append(String datasetId, Format format, InputStream body, String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw ProblemException.badRequest("header 'Idempotency-Key' must be 1 to 200 characters");
        }
        // A retried batch is answered from the record of the first, without reading the body again.
        Appended replay = transactions.inTransaction(c -> {
            existing(c, datasetId, false);
            return idempotencyKey == null ? null : repository.rowsForIdempotencyKey(c, datasetId, idempotencyKey)
                    .map(rows -> new Appended(rows, null, true)).orElse(null);
        });
        if (replay != null) {
            return replay;
        }
        UUID batch = UUID.randomUUID();
        try {
            return transactions.inTransaction(c -> {
                DatasetView dataset = existing(c, datasetId, false);
                repository.insertBatch(c, batch, datasetId, idempotencyKey);
                MessageDigest digest = Checksums.sha256();
                RowGroupSink sink = (index, rows, payload) -> {
                    try {
                        repository.insertRowGroup(c, batch, index, rows, payload);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    digest.update(payload);
                };
                Schema schema = Schema.of(dataset.columns());
                RowReader reader = format == Format.CSV ? new CsvRowReader(schema, sink) : new NdjsonRowReader(schema, sink);
                RowReader.Summary summary;
                try {
                    summary = reader.read(body);
                } catch (IOException e) {
                    throw ProblemException.badRequest("the upload was interrupted before its end; nothing stored ("
                            + e.getMessage() + ")");
                } catch (UncheckedIOException e) {
                    throw ProblemException.badRequest("the upload was interrupted before its end; nothing stored");
                }
                repository.completeBatch(c, batch, summary.rows(), summary.rowGroups(), digest.digest());
                return new Appended(summary.rows(), batch, false);
            });
        } catch (IllegalStateException e) {
            if (idempotencyKey != null && isUniqueViolation(e)) {
                // the same key raced in concurrently and won: answer as its replay
                return transactions.inTransaction(c -> repository.rowsForIdempotencyKey(c, datasetId, idempotencyKey)
                        .map(rows -> new Appended(rows, null, true))
                        .orElseThrow(() -> ProblemException.conflict("a batch with Idempotency-Key '" + idempotencyKey
                                + "' is being stored right now; retry later")));
            }
            throw e;
        }
    }

    public Sealed seal(String datasetId, String traceparent) {
        return transactions.inTransaction(c -> {
            DatasetView dataset = existing(c, datasetId, true); // row lock: one seal of a dataset at a time
            List<DatasetRepository.Batch> batches = repository.unsealedBatches(c, datasetId);
            DatasetView.VersionView last = dataset.versions().isEmpty() ? null
                    : dataset.versions().get(dataset.versions().size() - 1);
            if (batches.isEmpty()) {
                throw ProblemException.conflict("nothing appended since " + (last == null ? "the dataset was registered"
                        : "version " + last.version()) + ": append rows before sealing a version");
            }
            int version = last == null ? 1 : last.version() + 1;
            long rows = (last == null ? 0 : last.rows()) + batches.stream().mapToLong(DatasetRepository.Batch::rows).sum();
            String checksum = Checksums.versionChecksum(last == null ? null : last.checksum(),
                    batches.stream().map(DatasetRepository.Batch::digest).toList());
            repository.sealBatches(c, batches.stream().map(DatasetRepository.Batch::id).toList(), version);
            repository.insertVersion(c, datasetId, version, rows, checksum);
            for (DatasetRepository.Batch b : batches) {
                for (int g = 0; g < b.rowGroups(); g++) {
                    outbox.chunk(c, datasetId, b.id(), g, version, traceparent);
                }
            }
            outbox.json(c, Topics.DATASETS, datasetId, events.versionCommitted(dataset, version, rows, checksum,
                    repository.batchesUpTo(c, datasetId, version), traceparent));
            return new Sealed(version, rows, checksum);
        });
    }

    public DatasetView.VersionView version(String datasetId, int version) {
        return get(datasetId).versions().stream().filter(v -> v.version() == version).findFirst()
                .orElseThrow(() -> ProblemException.notFound("dataset " + datasetId + " has no version " + version));
    }

    private DatasetView existing(Connection c, String id, boolean forUpdate) throws SQLException {
        if (id.indexOf('\0') >= 0) {
            // no dataset has one, and PostgreSQL would fail the query on it (a 500) rather than find nothing
            throw ProblemException.notFound("no dataset with id '" + id.replace("\0", "\\u0000") + "'");
        }
        return repository.find(c, id, forUpdate)
                .orElseThrow(() -> ProblemException.notFound("no dataset with id '" + id + "'"));
    }

    static List<ColumnSpec> validate(NewDataset request) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body {\"name\", \"columns\"} is required");
        }
        if (request.name() == null || request.name().isBlank()) {
            throw ProblemException.badRequest("field 'name' is required");
        }
        if (request.name().length() > MAX_NAME) {
            throw ProblemException.badRequest("field 'name' is longer than " + MAX_NAME + " characters");
        }
        String nameFault = textFault(request.name());
        if (nameFault != null) {
            throw ProblemException.badRequest("field 'name' " + nameFault);
        }
        if (request.columns() == null || request.columns().isEmpty()) {
            throw ProblemException.badRequest("field 'columns' must list at least one column");
        }
        if (request.columns().size() > MAX_COLUMNS) {
            throw ProblemException.badRequest("field 'columns' lists more than " + MAX_COLUMNS + " columns");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<ColumnSpec> columns = new ArrayList<>();
        for (int i = 0; i < request.columns().size(); i++) {
            ColumnSpec column = request.columns().get(i);
            String field = "columns[" + i + "]";
            if (column == null) {
                throw ProblemException.badRequest("field '" + field + "' must be an object {\"name\", \"type\"}");
            }
            if (column.name() == null || column.name().isEmpty()) {
                throw ProblemException.badRequest("field '" + field + ".name' is required");
            }
            if (!COLUMN_NAME.matcher(column.name()).matches()) {
                throw ProblemException.badRequest("field '" + field + ".name': '" + column.name()
                        + "' is not a plain name (a letter or _, then letters, digits, _ or ., at most 128)");
            }
            Integer before = seen.putIfAbsent(column.name(), i);
            if (before != null) {
                throw ProblemException.badRequest("field '" + field + ".name': '" + column.name()
                        + "' duplicates columns[" + before + "]");
            }
            if (ColumnType.fromApiName(column.type()) == null) {
                throw ProblemException.badRequest("field '" + field + ".type' must be numeric, binary or categorical"
                        + (column.type() == null ? "" : ", not '" + column.type() + "'"));
            }
            columns.add(new ColumnSpec(column.name(), column.type()));
        }
        return columns;
    }

    /**
     * @return what makes a name unfit to store and show, or null: a control character (a NUL is refused by
     * PostgreSQL, a 500; the others garble a catalog) or a surrogate on its own (a JSON escape can spell one; it has
     * no UTF-8 form and would be stored as '?')
     */
    static String textFault(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains a lone surrogate (" + String.format("\\u%04X", (int) c) + ") at position " + (i + 1);
            } else if (Character.isISOControl(c)) {
                return "contains a control character (" + String.format("\\u%04X", (int) c) + ") at position " + (i + 1);
            }
        }
        return null;
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
