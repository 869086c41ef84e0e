package io.counterfact.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event in structured JSON mode, the value of every JSON topic's record. {@code id} is what
 * consumers de-duplicate on (their inbox); {@code subject} is the aggregate id and the record key;
 * {@code schemaversion} is the version of {@code data}'s schema ({@code schemas/<type>.v<n>.json});
 * {@code traceparent} is the W3C trace context of the request that caused the event.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventEnvelope(
        String specversion,
        String id,
        String type,
        String source,
        String subject,
        Instant time,
        int schemaversion,
        String traceparent,
        String datacontenttype,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";

    public static EventEnvelope of(String type, int schemaVersion, String source, String subject, String traceparent,
                                   JsonNode data) {
        return new EventEnvelope(SPEC_VERSION, UUID.randomUUID().toString(), type, source, subject, Instant.now(),
                schemaVersion, traceparent, "application/json", data);
    }
}
