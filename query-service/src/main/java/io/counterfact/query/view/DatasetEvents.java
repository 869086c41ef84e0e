package io.counterfact.query.view;

import io.counterfact.query.consumer.Event;
import io.counterfact.query.consumer.PoisonEventException;

/** Checks shared by the handlers of the dataset events. */
final class DatasetEvents {

    private DatasetEvents() {
    }

    /** The envelope's subject is the aggregate id: an event about another dataset than it says is refused. */
    static void requireSubject(Event event) {
        String datasetId = event.text("datasetId");
        if (!datasetId.equals(event.subject())) {
            throw new PoisonEventException("event " + event.id() + ": data.datasetId '" + datasetId
                    + "' is not the subject '" + event.subject() + "'");
        }
    }
}
