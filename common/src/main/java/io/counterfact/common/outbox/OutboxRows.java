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
        insert(c, json, topic, key, event, null);
    }

    /**
     * As {@link #insertJson}, but the record is placed by the next value of the sequence {@code slotSequence} (the
     * row's {@code partition_slot}) instead of its key's hash: consecutive rows go to consecutive partitions. For
     * work items whose order between keys does not matter (a command per estimation): N queued items are spread
     * evenly over the partitions, and so over the consumers of a group, where hashing the keys spreads them
     * multinomially (120 commands over 2 workers: 64 / 56 in one run, the drain waiting on the busier worker).
     */
    public static void insertJsonSpread(Connection c, ObjectMapper json, String topic, String key, EventEnvelope event,
                                        String slotSequence) throws SQLException {
        insert(c, json, topic, key, event, slotSequence);
    }

    private static void insert(Connection c, ObjectMapper json, String topic, String key, EventEnvelope event,
                               String slotSequence) throws SQLException {
        byte[] value;
        try {
            value = json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event not serialisable: " + event.type(), e);
        }
        String sql = slotSequence == null
                ? "INSERT INTO outbox (event_id, topic, record_key, event_type, payload) VALUES (?, ?, ?, ?, ?)"
                : "INSERT INTO outbox (event_id, topic, record_key, event_type, payload, partition_slot) "
                + "VALUES (?, ?, ?, ?, ?, nextval(?::regclass))";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(event.id()));
            s.setString(2, topic);
            s.setString(3, key);
            s.setString(4, event.type());
            s.setBytes(5, value);
            if (slotSequence != null) {
                s.setString(6, slotSequence);
            }
            s.executeUpdate();
        }
    }
}
