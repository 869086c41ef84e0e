package io.counterfact.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventSchemas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The fixtures the consumer tests send are the events ingestion-service publishes: same envelope attributes, same
 * data fields in the same order as its {@code DatasetEvents}, and valid against the shared JSON Schemas (which the
 * producer's tests check too), so a change of the contract fails here as well as there.
 */
class EventContractTest {

    @Test
    void registeredIsShapedAsTheProducerBuildsIt() {
        ObjectNode event = Fixtures.registered(Fixtures.datasetId());
        assertEquals(List.of(), EventSchemas.violations(event));
        assertEquals(List.of("specversion", "id", "type", "source", "subject", "time", "schemaversion", "traceparent",
                "datacontenttype", "data"), fields(event));
        assertEquals(List.of("datasetId", "name", "createdAt", "columns"), fields((ObjectNode) event.get("data")));
        assertEquals("io.counterfact.dataset.registered", event.get("type").asText());
        assertEquals(1, event.get("schemaversion").asInt());
        assertEquals(event.get("subject"), event.get("data").get("datasetId"));
    }

    @Test
    void versionCommittedIsShapedAsTheProducerBuildsIt() {
        ObjectNode event = Fixtures.versionCommitted(Fixtures.datasetId(), 3, 10);
        assertEquals(List.of(), EventSchemas.violations(event));
        assertEquals(List.of("datasetId", "name", "version", "rows", "checksum", "committedAt", "columns", "batches"),
                fields((ObjectNode) event.get("data")));
        assertEquals(3, event.get("data").get("batches").size(), "every batch of the version, not only the new one");
        assertEquals(10, sum(event), "the batches' rows add up to the version's rows");
    }

    @Test
    void theSchemasRefuseWhatTheConsumerDeadLetters() {
        ObjectNode good = Fixtures.registered(Fixtures.datasetId());
        ObjectNode extra = good.deepCopy();
        ((ObjectNode) extra.get("data")).put("owner", "someone");
        assertFalse(EventSchemas.violations(extra).isEmpty(), "an unknown data field");
        assertFalse(EventSchemas.violations(good.deepCopy().put("schemaversion", 2)).isEmpty(), "an unknown version");
        assertFalse(EventSchemas.violations(good.deepCopy().put("type", "io.counterfact.dataset.archived")).isEmpty(),
                "an unknown type");
    }

    private static List<String> fields(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static long sum(ObjectNode event) {
        long rows = 0;
        for (var batch : event.get("data").get("batches")) {
            rows += batch.get("rows").asLong();
        }
        return rows;
    }
}
