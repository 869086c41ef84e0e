package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code counterfact.datasets} and {@code counterfact.dataset-chunks} (consumer group
 * {@code estimation-replica}, at least once) into the replica. A record that can never be applied goes to
 * {@code <topic>.dlq} (the channel's dead-letter-queue failure strategy, on nack) and the partition moves on; a
 * transient failure (database unreachable) is retried for as long as it lasts, never dead-lettered.
 */
@ApplicationScoped
public class ReplicaConsumer {

    private static final Logger LOG = Logger.getLogger(ReplicaConsumer.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    @Inject
    ReplicaIngest ingest;

    @Inject
    ReplicaMetrics metrics;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaPosition position;

    @ConfigProperty(name = "counterfact.replica.max-attempts", defaultValue = "3")
    int maxAttempts;

    private volatile boolean running = true;

    void stop(@Observes ShutdownEvent event) {
        running = false;
    }

    @Incoming("dataset-chunks")
    @Blocking
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onChunk(Message<byte[]> message) {
        return handle(message, (meta, value) -> {
            ChunkHeaders headers = ChunkHeaders.of(meta.getHeaders(), meta.getKey() == null ? null : meta.getKey().toString());
            RowGroupLayout layout = RowGroupLayout.read(value);
            return () -> ingest.chunk(headers, layout, value);
        });
    }

    @Incoming("datasets")
    @Blocking
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onDatasetEvent(Message<byte[]> message) {
        return handle(message, (meta, value) -> {
            JsonNode envelope = parse(value);
            Object key = meta.getKey();
            if (key != null && !key.toString().equals(envelope.get("subject").asText())) {
                throw new PoisonRecordException("the record key '" + key + "' differs from the subject '"
                        + envelope.get("subject").asText() + "'");
            }
            String type = envelope.get("type").asText();
            return switch (type) {
                case EventTypes.DATASET_REGISTERED -> {
                    String eventId = envelope.get("id").asText();
                    String datasetId = envelope.get("subject").asText();
                    yield () -> ingest.registered(eventId, datasetId);
                }
                case EventTypes.DATASET_VERSION_COMMITTED -> {
                    CommitEvent commit = CommitEvent.from(envelope);
                    yield () -> ingest.committed(commit);
                }
                default -> throw new PoisonRecordException("unknown event type " + type);
            };
        });
    }

    /** Checks a record (throwing {@link PoisonRecordException}) and returns the work that applies it. */
    @FunctionalInterface
    interface Reader {
        Runnable read(IncomingKafkaRecordMetadata<?, ?> meta, byte[] value);
    }

    private JsonNode parse(byte[] value) {
        JsonNode envelope;
        try {
            envelope = value == null ? null : json.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new PoisonRecordException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new PoisonRecordException("not JSON: " + e.getMessage(), e);
        }
        if (envelope == null || !envelope.isObject()) {
            throw new PoisonRecordException("not a JSON object");
        }
        List<String> violations = EventSchemas.violations(envelope);
        if (!violations.isEmpty()) {
            throw new PoisonRecordException("violates the event contract: " + String.join("; ", violations));
        }
        return envelope;
    }

    private CompletionStage<Void> handle(Message<byte[]> message, Reader reader) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<?, ?> meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        String where = meta.getTopic() + "-" + meta.getPartition() + "@" + meta.getOffset();
        Runnable work;
        try {
            work = reader.read(meta, message.getPayload());
        } catch (PoisonRecordException e) {
            return deadLetter(message, meta, where, e);
        } catch (RuntimeException e) {
            return deadLetter(message, meta, where, new PoisonRecordException("unreadable record: " + e, e));
        }
        int failures = 0;
        while (true) {
            try {
                work.run();
                position.processed(meta.getTopic(), meta.getPartition(), meta.getOffset());
                return message.ack();
            } catch (PoisonRecordException e) {
                return deadLetter(message, meta, where, e);
            } catch (RuntimeException e) {
                failures++;
                boolean transientFailure = isTransient(e);
                if (!running) {
                    // neither acked nor dead-lettered: its offset is not committed, so it is redelivered after restart
                    LOG.warnf("shutting down: record %s left unacknowledged after %s", where, e.toString());
                    return CompletableFuture.completedFuture(null);
                }
                if (!transientFailure && failures >= maxAttempts) {
                    LOG.errorf(e, "record %s failed %d times", where, failures);
                    return deadLetter(message, meta, where, new PoisonRecordException(
                            "failed " + failures + " times: " + e, e));
                }
                metrics.retried(meta.getTopic());
                long backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failures, 7));
                if (failures == 1 || failures % 10 == 0) {
                    LOG.warnf("record %s failed (%s, attempt %d), retrying in %d ms: %s", where,
                            transientFailure ? "transient" : "unexpected", failures, backoff, e.toString());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    LOG.warnf("interrupted: record %s left unacknowledged", where);
                    return CompletableFuture.completedFuture(null);
                }
            }
        }
    }

    private CompletionStage<Void> deadLetter(Message<byte[]> message, IncomingKafkaRecordMetadata<?, ?> meta,
                                             String where, PoisonRecordException e) {
        LOG.warnf("record %s (key %s) goes to %s.dlq: %s", where, meta.getKey(), meta.getTopic(), e.getMessage());
        metrics.deadLettered(meta.getTopic());
        position.processed(meta.getTopic(), meta.getPartition(), meta.getOffset()); // read past: it changes nothing here
        return message.nack(e);
    }

    /** A failure that retrying can cure: the database or the network was unavailable, a deadlock, a serialisation conflict. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                        || state.startsWith("57P") || state.startsWith("58")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
