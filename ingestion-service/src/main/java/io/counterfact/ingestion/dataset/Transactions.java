package io.counterfact.ingestion.dataset;

import io.counterfact.ingestion.outbox.OutboxRelay;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;

/**
 * Runs work in one database transaction on one connection: committed if it returns, rolled back if it throws.
 * Plain JDBC rather than JTA because an upload streams for as long as the client sends, and the row groups it
 * writes must commit or vanish together with the batch and its events.
 * After each commit the outbox relay is woken: most transactions here write an event with their state change, and
 * the event then leaves at once instead of at the relay's next poll (a read-only one costs an idle relay one pass).
 */
@ApplicationScoped
public class Transactions {

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws Exception;
    }

    @Inject
    DataSource dataSource;

    @Inject
    OutboxRelay outbox;

    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                outbox.wake();
                return result;
            } catch (Throwable e) {
                c.rollback();
                throw e;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
