package io.counterfact.ingestion.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.chunks.Checksums;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventTypes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;

/** The JSON events of the dataset aggregate (schemas: common/src/main/resources/schemas/). */
@ApplicationScoped
public class DatasetEvents {

    static final String SOURCE = "/counterfact/ingestion-service";

    @Inject
    ObjectMapper json;

    public EventEnvelope registered(String id, String name, List<ColumnSpec> columns, String traceparent) {
        ObjectNode data = json.createObjectNode()
                .put("datasetId", id)
                .put("name", name)
                .put("createdAt", Instant.now().toString());
        data.set("columns", json.valueToTree(columns));
        return EventEnvelope.of(EventTypes.DATASET_REGISTERED, 1, SOURCE, id, traceparent, data);
    }

    /**
     * Lists every batch of the version in row order (not just the new ones), so a consumer can build the version
     * from this event and the chunk events alone, whatever it replicated before.
     */
    public EventEnvelope versionCommitted(DatasetView dataset, int version, long rows, String checksum,
                                          List<DatasetRepository.Batch> batches, String traceparent) {
        ObjectNode data = json.createObjectNode()
                .put("datasetId", dataset.id())
                .put("name", dataset.name())
                .put("version", version)
                .put("rows", rows)
                .put("checksum", checksum)
                .put("committedAt", Instant.now().toString());
        data.set("columns", json.valueToTree(dataset.columns()));
        ArrayNode list = data.putArray("batches");
        for (DatasetRepository.Batch b : batches) {
            list.addObject()
                    .put("batchId", b.id().toString())
                    .put("rows", b.rows())
                    .put("rowGroups", b.rowGroups())
                    .put("digest", Checksums.hex(b.digest()));
        }
        return EventEnvelope.of(EventTypes.DATASET_VERSION_COMMITTED, 1, SOURCE, dataset.id(), traceparent, data);
    }
}
