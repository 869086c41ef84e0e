package io.counterfact.ingestion.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.CloudEventHeaders;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/**
 * Writes events into the outbox table on the caller's connection, so that they commit or roll back with the state
 * change that caused them (the transactional outbox). {@link OutboxRelay} publishes them (JSON rows through
 * {@link io.counterfact.common.outbox.OutboxRows}, whose table layout ingestion's V1 migration follows).
 */
@ApplicationScoped
public class OutboxWriter {

    static final String SOURCE = "/counterfact/ingestion-service";

    @Inject
    ObjectMapper json;

    @Inject
    DataSource dataSource;

    /** A JSON event (CloudEvents structured mode) on {@code topic}, keyed by {@code key}. */
    public void json(Connection c, String topic, String key, EventEnvelope event) throws SQLException {
        io.counterfact.common.outbox.OutboxRows.insertJson(c, json, topic, key, event);
    }

    /**
     * A dataset-chunk event (CloudEvents binary mode: the row group is the value, the attributes are headers). The
     * value is not copied: the relay reads the stored row group when it publishes.
     */
    public void chunk(Connection c, String datasetId, UUID batchId, int rowGroup, int version, String traceparent)
            throws SQLException {
        UUID eventId = UUID.randomUUID();
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put(CloudEventHeaders.SPEC_VERSION, EventEnvelope.SPEC_VERSION);
        headers.put(CloudEventHeaders.ID, eventId.toString());
        headers.put(CloudEventHeaders.TYPE, EventTypes.DATASET_CHUNK);
        headers.put(CloudEventHeaders.SOURCE, SOURCE);
        headers.put(CloudEventHeaders.SUBJECT, datasetId);
        headers.put(CloudEventHeaders.TIME, java.time.Instant.now().toString());
        headers.put(CloudEventHeaders.SCHEMA_VERSION, "1");
        headers.put(CloudEventHeaders.CONTENT_TYPE, "application/vnd.counterfact.row-group");
        headers.put("counterfact_batch", batchId.toString());
        headers.put("counterfact_row_group", Integer.toString(rowGroup));
        headers.put("counterfact_version", Integer.toString(version));
        if (traceparent != null) {
            headers.put(CloudEventHeaders.TRACEPARENT, traceparent);
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO outbox (event_id, topic, record_key, event_type, "
                + "batch_id, row_group, headers) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")) {
            s.setObject(1, eventId);
            s.setString(2, Topics.DATASET_CHUNKS);
            s.setString(3, datasetId);
            s.setString(4, EventTypes.DATASET_CHUNK);
            s.setObject(5, batchId);
            s.setInt(6, rowGroup);
            s.setString(7, json.writeValueAsString(headers));
            s.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
