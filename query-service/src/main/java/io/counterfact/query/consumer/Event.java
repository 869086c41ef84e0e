package io.counterfact.query.consumer;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.UUID;

/**
 * A CloudEvents event that passed its JSON Schema ({@code EventSchemas}): the envelope's attributes, its
 * {@code data}, and the record it arrived in.
 */
public record Event(UUID id, String type, int schemaVersion, String subject, Instant time, String traceparent,
                    JsonNode data, Origin origin) {

    /** @return the text of a required string field of {@code data} (present: the schema says so) */
    public String text(String field) {
        return data.get(field).asText();
    }

    /**
     * The envelope's subject is the aggregate's id: an event whose {@code data} names another aggregate than it says
     * is refused (dead-lettered).
     *
     * @param idField the field of {@code data} holding the aggregate's id ({@code datasetId}, {@code estimationId})
     * @return the id
     */
    public String requireSubject(String idField) {
        String aggregateId = text(idField);
        if (!aggregateId.equals(subject)) {
            throw new PoisonEventException("event " + id + ": data." + idField + " '" + aggregateId
                    + "' is not the subject '" + subject + "'");
        }
        return aggregateId;
    }

    /** @return a required date-time field of {@code data} */
    public Instant instant(String field) {
        return Instants.parse(field, data.get(field).asText());
    }
}
