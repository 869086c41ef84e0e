package io.counterfact.common.events;

import java.util.Map;

/**
 * The Kafka topics and what each carries; their contracts are documented in common/EVENTS.md and the JSON Schemas
 * under {@code schemas/}. Every consumed topic has a dead-letter topic named {@code <topic>.dlq}.
 */
public final class Topics {

    /** Key: dataset id. DatasetRegistered, DatasetVersionCommitted (CloudEvents, structured JSON). */
    public static final String DATASETS = "counterfact.datasets";
    /** Key: dataset id. DatasetChunk: one row group of a batch, binary (CloudEvents binary mode, ce_ headers). */
    public static final String DATASET_CHUNKS = "counterfact.dataset-chunks";
    /** Key: estimation id. RunEstimation; partitioned: the unit of scaling of estimation workers. */
    public static final String ESTIMATION_COMMANDS = "counterfact.estimation-commands";
    /** Key: estimation id. EstimationAccepted, EstimationProgress, EstimationCompleted, EstimationFailed. */
    public static final String ESTIMATION_EVENTS = "counterfact.estimation-events";

    /**
     * Partition counts, as the local stack and the tests create them and as the Kubernetes KafkaTopic resources
     * (k8s/overlays/local/data/topics.yaml) declare them: keep the two in step.
     */
    public static final Map<String, Integer> PARTITIONS = Map.of(
            DATASETS, 6,
            DATASET_CHUNKS, 6,
            ESTIMATION_COMMANDS, 12,
            ESTIMATION_EVENTS, 6,
            dlq(DATASETS), 3,
            dlq(DATASET_CHUNKS), 3,
            dlq(ESTIMATION_COMMANDS), 3,
            dlq(ESTIMATION_EVENTS), 3);

    private Topics() {
    }

    public static String dlq(String topic) {
        return topic + ".dlq";
    }
}
