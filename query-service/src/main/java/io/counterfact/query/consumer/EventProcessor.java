package io.counterfact.query.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns one record into a view change, effectively once: the event id goes into the inbox in the same database
 * transaction as the change, so a redelivered event finds its id there and changes nothing; the caller acknowledges
 * the record (and so lets its offset be committed) only after that transaction committed.
 * <ul>
 *   <li>A record that can never be applied throws {@link PoisonEventException}: the caller dead-letters it.</li>
 *   <li>A database that is unreachable (or any failure but a data exception or integrity violation) is retried
 *       with back-off for as long as it lasts: a good event is never dead-lettered because of an outage.</li>
 * </ul>
 */
@ApplicationScoped
public class EventProcessor {

    private static final Logger LOG = Logger.getLogger(EventProcessor.class);
    private static final int MAX_REASON = 2000;

    public enum Outcome { APPLIED, DUPLICATE }

    /** The application is stopping while the database is down: leave the record unacknowledged (redelivered). */
    public static class StoppingException extends RuntimeException {
        StoppingException(Throwable cause) {
            super("stopping while the database is unavailable", cause);
        }
    }

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Inject
    @Any
    Instance<EventHandler> handlerBeans;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "counterfact.views.max-retry-backoff", defaultValue = "PT10S")
    Duration maxBackoff;

    private final Map<String, EventHandler> handlers = new HashMap<>();
    private volatile boolean stopping;

    @PostConstruct
    void registerHandlers() {
        for (EventHandler handler : handlerBeans) {
            EventHandler previous = handlers.put(key(handler.type(), handler.schemaVersion()), handler);
            if (previous != null) {
                throw new IllegalStateException("two handlers for " + handler.type() + " v" + handler.schemaVersion());
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /**
     * @throws PoisonEventException if the record can never be applied
     * @throws StoppingException    if the application stops before the database came back
     */
    public Outcome process(Origin origin, String value) {
        Event event = parse(origin, value);
        // a child of the span that published the event (its traceparent): the trace reaches the view
        Span span = Tracing.start("apply " + event.type(), SpanKind.CONSUMER, event.traceparent());
        span.setAttribute("messaging.system", "kafka");
        span.setAttribute("messaging.destination.name", origin.topic());
        span.setAttribute("messaging.destination.partition.id", String.valueOf(origin.partition()));
        span.setAttribute("messaging.kafka.offset", origin.offset());
        span.setAttribute("counterfact.subject", event.subject());
        try {
            Outcome outcome = processParsed(event, origin);
            span.setAttribute("counterfact.outcome", outcome.name().toLowerCase());
            return outcome;
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw e;
        } finally {
            span.end();
        }
    }

    private Outcome processParsed(Event event, Origin origin) {
        EventHandler handler = handlers.get(key(event.type(), event.schemaVersion()));
        if (handler == null) {
            throw poison("no handler for event type " + event.type() + " version " + event.schemaVersion());
        }
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                Outcome outcome = applyOnce(event, handler);
                metrics.counter("counterfact.query.events", "outcome", outcome.name().toLowerCase(),
                        "type", event.type()).increment();
                if (outcome == Outcome.DUPLICATE) {
                    LOG.debugf("event %s (%s) from %s already applied: skipped", event.id(), event.type(), origin);
                }
                return outcome;
            } catch (SQLException e) {
                if (isRefusal(e)) {
                    throw poison("the views refuse event " + event.id() + ": " + e.getMessage(), e);
                }
                if (stopping) {
                    throw new StoppingException(e);
                }
                if (attempt <= 3 || attempt % 20 == 0) {
                    LOG.warnf("event %s from %s: database failure (attempt %d), retrying in %d ms: %s",
                            event.id(), origin, attempt, backoff, e.getMessage());
                }
                sleep(backoff, e);
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            } catch (PoisonEventException e) {
                throw e;
            } catch (RuntimeException e) {
                // a valid event a handler cannot cope with: dead-letter it rather than block the partition forever
                LOG.errorf(e, "event %s (%s) from %s failed unexpectedly", event.id(), event.type(), origin);
                throw poison("unexpected failure applying event " + event.id() + ": " + e, e);
            }
        }
    }

    /** Validates the record against the event contracts (common/EVENTS.md). */
    Event parse(Origin origin, String value) {
        if (value == null || value.isBlank()) {
            throw poison("empty record value");
        }
        JsonNode node;
        try {
            node = json.readTree(value);
        } catch (JsonProcessingException e) {
            throw poison("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw poison("not a JSON object");
        }
        List<String> violations = EventSchemas.violations(node);
        if (!violations.isEmpty()) {
            throw poison("invalid " + node.path("type").asText("event") + ": " + String.join("; ", violations));
        }
        UUID id;
        try {
            id = UUID.fromString(node.get("id").asText());
        } catch (IllegalArgumentException e) {
            throw poison("'id' is not a UUID: " + node.get("id").asText());
        }
        String subject = node.get("subject").asText();
        if (origin.key() != null && !origin.key().equals(subject)) {
            LOG.warnf("event %s from %s: record key '%s' is not its subject '%s' (per-aggregate order not guaranteed)",
                    id, origin, origin.key(), subject);
        }
        return new Event(id, node.get("type").asText(), node.get("schemaversion").asInt(), subject,
                Instants.parse("time", node.get("time").asText()),
                node.hasNonNull("traceparent") ? node.get("traceparent").asText() : null, node.get("data"), origin);
    }

    private Outcome applyOnce(Event event, EventHandler handler) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!recordInInbox(c, event)) {
                    c.rollback();
                    return Outcome.DUPLICATE;
                }
                handler.apply(c, event);
                c.commit();
                return Outcome.APPLIED;
            } catch (Throwable e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /** @return false if the event is already there (applied before): a concurrent insert waits for the first */
    private static boolean recordInInbox(Connection c, Event event) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO inbox (event_id, event_type, subject, topic, "
                + "kafka_partition, kafka_offset) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING")) {
            s.setObject(1, event.id());
            s.setString(2, event.type());
            s.setString(3, event.subject());
            s.setString(4, event.origin().topic());
            s.setInt(5, event.origin().partition());
            s.setLong(6, event.origin().offset());
            return s.executeUpdate() == 1;
        }
    }

    /** Data exceptions (22) and integrity violations (23): this event's content, not the database, is at fault. */
    static boolean isRefusal(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void sleep(long millis, SQLException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoppingException(cause);
        }
    }

    private static PoisonEventException poison(String reason) {
        return new PoisonEventException(truncate(reason));
    }

    private static PoisonEventException poison(String reason, Throwable cause) {
        return new PoisonEventException(truncate(reason), cause);
    }

    private static String truncate(String reason) {
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...";
    }

    private static String key(String type, int schemaVersion) {
        return type + "@v" + schemaVersion;
    }
}
