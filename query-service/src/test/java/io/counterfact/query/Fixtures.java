package io.counterfact.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Dataset events built the way ingestion-service's {@code DatasetEvents} builds them (same envelope, same data
 * fields in the same order), each checked against the shared JSON Schemas so that these fixtures cannot drift from
 * the contract the producer is tested against.
 */
public final class Fixtures {

    public static final JsonMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    static final String SOURCE = "/counterfact/ingestion-service";
    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    public record Col(String name, String type) {
    }

    public static final List<Col> COLUMNS = List.of(new Col("y", "numeric"), new Col("t", "binary"),
            new Col("region", "categorical"));

    private Fixtures() {
    }

    public static String datasetId() {
        return "ds_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** As {@code DatasetEvents.registered}. */
    public static ObjectNode registered(String id, String name, List<Col> columns) {
        ObjectNode data = JSON.createObjectNode()
                .put("datasetId", id)
                .put("name", name)
                .put("createdAt", Instant.now().toString());
        data.set("columns", JSON.valueToTree(columns));
        return valid(EventEnvelope.of(EventTypes.DATASET_REGISTERED, 1, SOURCE, id, TRACEPARENT, data));
    }

    public static ObjectNode registered(String id) {
        return registered(id, "promo", COLUMNS);
    }

    /** As {@code DatasetEvents.versionCommitted}: every batch of the version, in row order. */
    public static ObjectNode versionCommitted(String id, String name, List<Col> columns, int version, long rows) {
        ObjectNode data = JSON.createObjectNode()
                .put("datasetId", id)
                .put("name", name)
                .put("version", version)
                .put("rows", rows)
                .put("checksum", checksum(id, version))
                .put("committedAt", Instant.now().toString());
        data.set("columns", JSON.valueToTree(columns));
        ArrayNode list = data.putArray("batches");
        for (int b = 1; b <= version; b++) {
            list.addObject()
                    .put("batchId", UUID.randomUUID().toString())
                    .put("rows", b == version ? rows - (version - 1) : 1)
                    .put("rowGroups", 1)
                    .put("digest", sha256(id + "/batch/" + b));
        }
        return valid(EventEnvelope.of(EventTypes.DATASET_VERSION_COMMITTED, 1, SOURCE, id, TRACEPARENT, data));
    }

    public static ObjectNode versionCommitted(String id, int version, long rows) {
        return versionCommitted(id, "promo", COLUMNS, version, rows);
    }

    /** The checksum the fixtures give a version: "sha256:" and 64 hex digits, as the schema wants. */
    public static String checksum(String id, int version) {
        return "sha256:" + sha256(id + "/version/" + version);
    }

    /** The same event under a new event id (a different event with the same content). */
    public static ObjectNode reissued(ObjectNode event) {
        return valid(event.deepCopy().put("id", UUID.randomUUID().toString()));
    }

    public static String text(ObjectNode event) {
        return event.toString();
    }

    static ObjectNode valid(EventEnvelope envelope) {
        return valid((ObjectNode) JSON.valueToTree(envelope));
    }

    static ObjectNode valid(ObjectNode event) {
        List<String> violations = EventSchemas.violations(event);
        if (!violations.isEmpty()) {
            throw new IllegalStateException("fixture drifted from the event contract: " + violations + " in " + event);
        }
        return event;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
