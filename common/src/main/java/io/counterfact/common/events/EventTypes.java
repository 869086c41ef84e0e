package io.counterfact.common.events;

/** CloudEvents {@code type} values, one per event; the schema version travels beside it. */
public final class EventTypes {

    public static final String DATASET_REGISTERED = "io.counterfact.dataset.registered";
    public static final String DATASET_VERSION_COMMITTED = "io.counterfact.dataset.version-committed";
    public static final String DATASET_CHUNK = "io.counterfact.dataset.chunk";

    private EventTypes() {
    }
}
