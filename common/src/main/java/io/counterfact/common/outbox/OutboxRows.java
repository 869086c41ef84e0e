package io.counterfact.common.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.EventEnvelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes a JSON event (CloudEvents structured mode) into the outbox table on the caller's connection, so that it
 * commits or rolls back with the state change that caused it; {@link OutboxRelay} publishes it.
 */
public final class OutboxRows {

    private OutboxRows() {
    }

    public static void insertJson(Connection c, ObjectMapper json, String topic, String key, EventEnvelope event)
            throws SQLException {
        byte[] value;
        try {
            value = json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event not serialisable: " + event.type(), e);
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO outbox (event_id, topic, record_key, event_type, payload) VALUES (?, ?, ?, ?, ?)")) {
            s.setObject(1, UUID.fromString(event.id()));
            s.setString(2, topic);
            s.setString(3, key);
            s.setString(4, event.type());
            s.setBytes(5, value);
            s.executeUpdate();
        }
    }
}
