package io.counterfact.common.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSchemasTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ObjectNode registered() {
        ObjectNode data = json.createObjectNode().put("datasetId", "ds_1").put("name", "promo")
                .put("createdAt", "2026-11-25T10:00:00Z");
        data.putArray("columns").addObject().put("name", "y").put("type", "numeric");
        return json.valueToTree(EventEnvelope.of(EventTypes.DATASET_REGISTERED, 1, "/test", "ds_1", null, data));
    }

    @Test
    void aWellFormedEventHasNoViolations() {
        assertEquals(java.util.List.of(), EventSchemas.violations(registered()));
    }

    @Test
    void violationsOfTheEnvelopeAndOfTheDataAreReported() {
        ObjectNode badType = registered();
        ((ObjectNode) badType.get("data")).withArray("columns").addObject().put("name", "x").put("type", "float");
        assertFalse(EventSchemas.violations(badType).isEmpty());

        ObjectNode noId = registered();
        noId.remove("id");
        assertTrue(EventSchemas.violations(noId).stream().anyMatch(m -> m.contains("id")));

        ObjectNode notAUuid = registered();
        notAUuid.put("id", "not-a-uuid");
        assertFalse(EventSchemas.violations(notAUuid).isEmpty(), "format uuid is asserted");

        ObjectNode badTime = registered();
        ((ObjectNode) badTime.get("data")).put("createdAt", "yesterday");
        assertFalse(EventSchemas.violations(badTime).isEmpty(), "format date-time is asserted");

        ObjectNode unknownVersion = registered();
        unknownVersion.put("schemaversion", 9);
        assertTrue(EventSchemas.violations(unknownVersion).get(0).contains("no schema"));
    }

    @Test
    void estimationEventsReferenceTheSharedRequestSchema() {
        ObjectNode request = json.createObjectNode().put("datasetId", "ds_1").put("version", 1).put("method", "aipw")
                .putNull("estimand").put("treatment", "t").put("outcome", "y").putNull("dag");
        request.putArray("covariates").add("x");
        request.putArray("instruments");
        request.putArray("endogenous");
        request.putObject("options");
        ObjectNode data = json.createObjectNode().put("estimationId", "est_1").put("datasetId", "ds_1").put("version", 1)
                .put("status", "QUEUED").put("acceptedAt", "2026-11-25T10:00:00Z");
        data.set("request", request);
        ObjectNode ok = json.valueToTree(EventEnvelope.of(EventTypes.ESTIMATION_ACCEPTED, 1, "/test", "est_1", null, data));
        assertEquals(java.util.List.of(), EventSchemas.violations(ok));

        ObjectNode bad = ok.deepCopy();
        ((ObjectNode) bad.get("data").get("request")).put("version", 0);
        assertFalse(EventSchemas.violations(bad).isEmpty(), "the referenced request schema is applied");
    }

    @Test
    void aCancelledEventNamesTheStatusItLeftWhichIsQueuedOrRunning() {
        ObjectNode data = json.createObjectNode().put("estimationId", "est_1").put("datasetId", "ds_1").put("version", 1)
                .put("status", "CANCELLED").put("previousStatus", "RUNNING").put("attempt", 1)
                .put("cancelledAt", "2026-12-07T10:00:00Z");
        ObjectNode ok = json.valueToTree(EventEnvelope.of(EventTypes.ESTIMATION_CANCELLED, 1, "/test", "est_1", null, data));
        assertEquals(java.util.List.of(), EventSchemas.violations(ok));

        ObjectNode finished = ok.deepCopy();
        ((ObjectNode) finished.get("data")).put("previousStatus", "SUCCEEDED");
        assertFalse(EventSchemas.violations(finished).isEmpty(), "a finished estimation is never cancelled");
        ObjectNode noTime = ok.deepCopy();
        ((ObjectNode) noTime.get("data")).remove("cancelledAt");
        assertFalse(EventSchemas.violations(noTime).isEmpty());
    }
}
