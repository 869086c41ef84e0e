package io.counterfact.estimation.replica;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures are retried for as long as they last (never dead-lettered) and which are not. */
class ReplicaConsumerTest {

    @Test
    void anUnreachableDatabaseIsTransientAConstraintViolationIsNot() {
        assertTrue(ReplicaConsumer.isTransient(new IllegalStateException(new SQLException("connection refused", "08001"))));
        assertTrue(ReplicaConsumer.isTransient(new IllegalStateException(new SQLTransientConnectionException("pool"))));
        assertTrue(ReplicaConsumer.isTransient(new SQLException("Acquisition timeout while waiting for new connection")));
        assertTrue(ReplicaConsumer.isTransient(new SQLException("deadlock detected", "40P01")));
        assertTrue(ReplicaConsumer.isTransient(new SQLException("terminating connection", "57P01")));
        assertTrue(ReplicaConsumer.isTransient(new RuntimeException(new ConnectException("refused"))));
        assertFalse(ReplicaConsumer.isTransient(new IllegalStateException(new SQLException("duplicate key", "23505"))));
        assertFalse(ReplicaConsumer.isTransient(new IllegalArgumentException("bad")));
    }
}
