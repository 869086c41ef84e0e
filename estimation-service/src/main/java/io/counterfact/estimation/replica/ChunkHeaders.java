package io.counterfact.estimation.replica;

import io.counterfact.common.events.CloudEventHeaders;
import io.counterfact.common.events.EventTypes;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The CloudEvents binary-mode attributes of a {@code io.counterfact.dataset.chunk} record (common/EVENTS.md), checked:
 * a record without them cannot be placed and is poison.
 */
public record ChunkHeaders(String eventId, String datasetId, UUID batchId, int rowGroup, Integer version) {

    public static final String BATCH = "counterfact_batch";
    public static final String ROW_GROUP = "counterfact_row_group";
    public static final String VERSION = "counterfact_version";
    static final int MAX_ID = 200;

    public static ChunkHeaders of(Headers headers, String key) {
        String type = text(headers, CloudEventHeaders.TYPE);
        if (!EventTypes.DATASET_CHUNK.equals(type)) {
            throw new PoisonRecordException("header " + CloudEventHeaders.TYPE + " is "
                    + (type == null ? "missing" : "'" + type + "'") + ", expected " + EventTypes.DATASET_CHUNK);
        }
        String schemaVersion = text(headers, CloudEventHeaders.SCHEMA_VERSION);
        if (!"1".equals(schemaVersion)) {
            throw new PoisonRecordException("no schema for " + EventTypes.DATASET_CHUNK + " version "
                    + (schemaVersion == null ? "(header " + CloudEventHeaders.SCHEMA_VERSION + " missing)" : schemaVersion));
        }
        String id = required(headers, CloudEventHeaders.ID);
        if (id.length() > MAX_ID) {
            throw new PoisonRecordException("header " + CloudEventHeaders.ID + " is longer than " + MAX_ID + " characters");
        }
        String subject = text(headers, CloudEventHeaders.SUBJECT);
        if (subject != null && key != null && !subject.equals(key)) {
            throw new PoisonRecordException("header " + CloudEventHeaders.SUBJECT + " '" + subject
                    + "' differs from the record key '" + key + "'");
        }
        String dataset = subject != null ? subject : key;
        if (dataset == null || dataset.isBlank()) {
            throw new PoisonRecordException("neither header " + CloudEventHeaders.SUBJECT + " nor the record key names the dataset");
        }
        UUID batch;
        try {
            batch = UUID.fromString(required(headers, BATCH));
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException("header " + BATCH + " is not a UUID");
        }
        int rowGroup = integer(headers, ROW_GROUP, true);
        String v = text(headers, VERSION);
        Integer version = v == null ? null : integer(headers, VERSION, false);
        return new ChunkHeaders(id, dataset, batch, rowGroup, version);
    }

    private static String required(Headers headers, String name) {
        String value = text(headers, name);
        if (value == null || value.isBlank()) {
            throw new PoisonRecordException("header " + name + " is missing");
        }
        return value;
    }

    private static int integer(Headers headers, String name, boolean allowZero) {
        String value = required(headers, name);
        try {
            int n = Integer.parseInt(value.trim());
            if (n < (allowZero ? 0 : 1)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new PoisonRecordException("header " + name + " is '" + value + "', not a "
                    + (allowZero ? "non-negative" : "positive") + " integer");
        }
    }

    private static String text(Headers headers, String name) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
