package io.counterfact.common.http;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DependencyUnavailableTest {

    @Test
    void connectionFailuresAnywhereInTheCauseChainAreUnavailability() {
        // what PgJDBC says when the server is away, wrapped as the repositories wrap it
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(new IllegalStateException("could not read estimation x",
                new SQLException("Connection to localhost:5432 refused", "08001", new ConnectException("refused")))));
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(
                new SQLException("An I/O error occurred while sending to the backend.", "08006")));
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(new RuntimeException(
                new SQLException("FATAL: terminating connection due to administrator command", "57P01"))));
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(new RuntimeException(
                new SQLException("FATAL: the database system is starting up", "57P03"))));
        // Agroal's pool: no connection within the acquisition timeout (no SQLSTATE)
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(new IllegalStateException(
                new SQLException("Acquisition timeout while waiting for new connection"))));
        assertTrue(DependencyUnavailable.isDatabaseUnavailable(new UncheckedIOException(new ConnectException("x"))));
    }

    @Test
    void otherFailuresAreNot() {
        assertFalse(DependencyUnavailable.isDatabaseUnavailable(new IllegalStateException("a bug")));
        assertFalse(DependencyUnavailable.isDatabaseUnavailable(new IllegalStateException(
                new SQLException("duplicate key value violates unique constraint", "23505"))));
        assertFalse(DependencyUnavailable.isDatabaseUnavailable(new SQLException("syntax error", "42601")));
        RuntimeException loop = new RuntimeException("a");
        RuntimeException other = new RuntimeException("b", loop);
        loop.initCause(other); // a cycle must not hang the search
        assertFalse(DependencyUnavailable.isDatabaseUnavailable(loop));
    }
}
