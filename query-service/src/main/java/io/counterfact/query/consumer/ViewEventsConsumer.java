package io.counterfact.query.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes the topics the views are built from, each on its own channel of group {@code query-service}:
 * {@code counterfact.datasets} (channel {@code datasets}) and {@code counterfact.estimation-events} (channel
 * {@code estimation-events}). Per channel one record at a time, in partition order, on a worker thread: a record is acknowledged once its view transaction committed, and the
 * throttled commit strategy then commits offsets up to the last acknowledged record (at least once; the inbox makes it
 * effectively once). A poison record is nacked, which the channel's {@code dead-letter-queue} failure strategy sends
 * to the topic's {@code .dlq} (with {@code dead-letter-reason} and the original topic, partition and offset
 * as headers) before it moves on.
 */
@ApplicationScoped
public class ViewEventsConsumer {

    private static final Logger LOG = Logger.getLogger(ViewEventsConsumer.class);

    @Inject
    EventProcessor processor;

    @Inject
    MeterRegistry metrics;

    @Incoming("datasets")
    public Uni<Void> datasets(Message<String> message) {
        return consume("datasets", message);
    }

    @Incoming("estimation-events")
    public Uni<Void> estimationEvents(Message<String> message) {
        return consume("estimation-events", message);
    }

    private Uni<Void> consume(String channel, Message<String> message) {
        Origin origin = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> new Origin(m.getTopic(), m.getPartition(), m.getOffset(),
                        m.getKey() == null ? null : m.getKey().toString()))
                .orElse(new Origin(channel, -1, -1, null));
        return Uni.createFrom().item(() -> processor.process(origin, message.getPayload()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (failure == null) {
                        return Uni.createFrom().completionStage(message::ack);
                    }
                    if (failure instanceof EventProcessor.StoppingException) {
                        LOG.infof("record %s left unacknowledged: stopping", origin);
                        return Uni.createFrom().voidItem();
                    }
                    LOG.warnf("record %s dead-lettered: %s", origin, failure.getMessage());
                    metrics.counter("counterfact.query.events", "outcome", "dead-lettered", "type", "any").increment();
                    return Uni.createFrom().completionStage(() -> message.nack(failure));
                });
    }
}
