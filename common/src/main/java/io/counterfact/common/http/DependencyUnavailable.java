package io.counterfact.common.http;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A service's own database briefly away (restarted, failed over, its pool unable to get a connection in time) is
 * not a bug of the request: the answer is {@code 503} problem+json with {@code Retry-After}, as ARCHITECTURE.md
 * promises, never a 500. The repositories wrap their {@link SQLException}s in runtime exceptions (e.g.
 * {@code IllegalStateException("could not read ...", e)}), so the cause chain is searched.
 *
 * <p>What counts as "unavailable": SQLSTATE class 08 (connection exception: refused, broken, closed), 57P01-57P03
 * (the server is shutting down, crashed, or not yet accepting connections), 53300 (too many connections), Agroal's
 * acquisition timeout, and a {@link ConnectException}. Anything else keeps the 500 of
 * {@link ProblemMappers.UnexpectedExceptionMapper}.
 */
public final class DependencyUnavailable {

    /** Seconds a client is told to wait: about what a database restart or a pool refill takes. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private static final Logger LOG = Logger.getLogger(DependencyUnavailable.class);

    private DependencyUnavailable() {
    }

    /** Whether {@code failure}, or any of its causes, says the database (or its pool) cannot be reached now. */
    public static boolean isDatabaseUnavailable(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03") || state.equals("53300"))) {
                    return true;
                }
                String message = sql.getMessage();
                if (message != null && message.contains("Acquisition timeout")) { // Agroal: no connection in time
                    return true;
                }
            }
        }
        return false;
    }

    /** The 503 answer, without any internal detail. */
    public static Response response() {
        return Response.status(503).type(Problem.MEDIA_TYPE)
                .header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS))
                .entity(Problem.of(503, "Service Unavailable", "the service's database is briefly unavailable; "
                        + "retry after " + RETRY_AFTER_SECONDS + " s"))
                .build();
    }

    /**
     * Runtime failures: 503 when the database is away, else what {@link ProblemMappers.UnexpectedExceptionMapper}
     * answers (a mapper for {@code RuntimeException} is nearer than its {@code Exception} one, so it must delegate).
     */
    @Provider
    public static class RuntimeExceptionMapper implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (isDatabaseUnavailable(e)) {
                LOG.warnf("database unavailable, answering 503: %s", rootMessage(e));
                return response();
            }
            return new ProblemMappers.UnexpectedExceptionMapper().toResponse(e);
        }
    }

    /** A resource method that lets an {@link SQLException} through. */
    @Provider
    public static class SqlExceptionMapper implements ExceptionMapper<SQLException> {
        @Override
        public Response toResponse(SQLException e) {
            if (isDatabaseUnavailable(e)) {
                LOG.warnf("database unavailable, answering 503: %s", rootMessage(e));
                return response();
            }
            return new ProblemMappers.UnexpectedExceptionMapper().toResponse(e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (root.getCause() != null && seen.add(root)) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
