package io.counterfact.query.consumer;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Applies one event type (at one schema version) to the views. Implementations are CDI beans, discovered by
 * {@link EventProcessor}; adding a handler is how a new event joins the views (the dataset and the estimation events
 * arrive on their own channels, through the same processor). A handler runs inside the transaction that also records the event in the
 * inbox, on the connection it is given, and must not commit. It must tolerate any order of events of one aggregate
 * (a later version before an earlier one, a commit before the registration), so that a replay rebuilds the same
 * views.
 */
public interface EventHandler {

    /** the CloudEvents {@code type} this handler applies */
    String type();

    /** the {@code schemaversion} of {@code data} this handler understands */
    int schemaVersion();

    /**
     * @throws PoisonEventException if the event, although valid against its schema, can never be applied (it goes
     *                              to the dead-letter topic)
     * @throws SQLException         the database failed: retried (data exceptions and integrity violations excepted)
     */
    void apply(Connection connection, Event event) throws SQLException;
}
