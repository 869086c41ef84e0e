package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.common.chunks.Checksums;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A {@code io.counterfact.dataset.version-committed} v1 event, read from an envelope that has passed
 * {@link io.counterfact.common.events.EventSchemas} validation.
 */
public record CommitEvent(String eventId, String datasetId, String name, List<ReplicaVersion.ColumnInfo> columns,
                          int version, long rows, String checksum, Instant committedAt, List<BatchRef> batches) {

    /** One batch of a version as the commit states it; {@code digest} is SHA-256 over its encoded row groups. */
    public record BatchRef(UUID batchId, long rows, int rowGroups, byte[] digest) {
    }

    /** @throws PoisonRecordException if a field that the schema cannot fully check is malformed */
    public static CommitEvent from(JsonNode envelope) {
        JsonNode data = envelope.get("data");
        String datasetId = data.get("datasetId").asText();
        if (!datasetId.equals(envelope.get("subject").asText())) {
            throw new PoisonRecordException("data.datasetId '" + datasetId + "' differs from the subject '"
                    + envelope.get("subject").asText() + "'");
        }
        List<ReplicaVersion.ColumnInfo> columns = new ArrayList<>();
        for (JsonNode c : data.get("columns")) {
            columns.add(new ReplicaVersion.ColumnInfo(c.get("name").asText(), c.get("type").asText()));
        }
        List<BatchRef> batches = new ArrayList<>();
        for (JsonNode b : data.get("batches")) {
            UUID id;
            try {
                id = UUID.fromString(b.get("batchId").asText());
            } catch (IllegalArgumentException e) {
                throw new PoisonRecordException("data.batches: '" + b.get("batchId").asText() + "' is not a UUID");
            }
            if (!b.get("rowGroups").canConvertToInt()) {
                throw new PoisonRecordException("data.batches: rowGroups of batch " + id + " is too large");
            }
            batches.add(new BatchRef(id, b.get("rows").asLong(), b.get("rowGroups").asInt(),
                    Checksums.fromHex(b.get("digest").asText())));
        }
        Instant committedAt;
        try {
            committedAt = Instant.parse(data.get("committedAt").asText());
        } catch (DateTimeParseException e) {
            try {
                committedAt = java.time.OffsetDateTime.parse(data.get("committedAt").asText()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new PoisonRecordException("data.committedAt is not a date-time");
            }
        }
        if (!data.get("version").canConvertToInt()) {
            throw new PoisonRecordException("data.version is too large");
        }
        return new CommitEvent(envelope.get("id").asText(), datasetId, data.get("name").asText(), List.copyOf(columns),
                data.get("version").asInt(), data.get("rows").asLong(), data.get("checksum").asText(), committedAt,
                List.copyOf(batches));
    }

    public int rowGroups() {
        long sum = 0;
        for (BatchRef b : batches) {
            sum += b.rowGroups();
        }
        if (sum > Integer.MAX_VALUE) {
            throw new PoisonRecordException("the version lists more than " + Integer.MAX_VALUE + " row groups");
        }
        return (int) sum;
    }
}
