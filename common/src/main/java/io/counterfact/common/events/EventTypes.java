package io.counterfact.common.events;

/** CloudEvents {@code type} values, one per event; the schema version travels beside it. */
public final class EventTypes {

    public static final String DATASET_REGISTERED = "io.counterfact.dataset.registered";
    public static final String DATASET_VERSION_COMMITTED = "io.counterfact.dataset.version-committed";
    public static final String DATASET_CHUNK = "io.counterfact.dataset.chunk";
    /** The RunEstimation command (topic counterfact.estimation-commands). */
    public static final String ESTIMATION_RUN = "io.counterfact.estimation.run";
    public static final String ESTIMATION_ACCEPTED = "io.counterfact.estimation.accepted";
    public static final String ESTIMATION_PROGRESS = "io.counterfact.estimation.progress";
    public static final String ESTIMATION_COMPLETED = "io.counterfact.estimation.completed";
    public static final String ESTIMATION_FAILED = "io.counterfact.estimation.failed";
    /** DELETE /api/estimations/{id} stopped a QUEUED or RUNNING estimation. */
    public static final String ESTIMATION_CANCELLED = "io.counterfact.estimation.cancelled";

    private EventTypes() {
    }
}
