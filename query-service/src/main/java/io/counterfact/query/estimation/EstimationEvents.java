package io.counterfact.query.estimation;

import io.counterfact.query.consumer.Event;
import io.counterfact.query.consumer.PoisonEventException;

/** Checks shared by the handlers of the estimation events. */
final class EstimationEvents {

    private EstimationEvents() {
    }

    /** The envelope's subject is the estimation id: an event about another estimation than it says is refused. */
    static String requireSubject(Event event) {
        String estimationId = event.text("estimationId");
        if (!estimationId.equals(event.subject())) {
            throw new PoisonEventException("event " + event.id() + ": data.estimationId '" + estimationId
                    + "' is not the subject '" + event.subject() + "'");
        }
        return estimationId;
    }
}
