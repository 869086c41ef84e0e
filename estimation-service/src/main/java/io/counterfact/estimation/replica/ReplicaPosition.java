package io.counterfact.estimation.replica;

import io.counterfact.common.events.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How far the replica has read {@code counterfact.datasets}: what lets {@code POST /api/estimations} tell a dataset
 * id that was never registered from one registered a moment ago whose event the replica has not applied yet.
 *
 * <p>Why positions and not a timeout: the replica records every dataset it sees ({@code replica_dataset}). An id not
 * recorded there is unknown <em>if</em> the replica has applied every record the topic held when the request arrived,
 * since a registration made before the request is (once the outbox relay has published it) below the topic's end
 * offsets at that moment. So the command side takes the end offsets, and answers 404 as soon as the replica's position
 * reaches them on every partition (at once, when it is caught up, as it is nearly always), waiting only while it
 * lags. All partitions are compared, not only the one the id hashes to: the answer then does not depend on how the
 * producer places records.
 *
 * <p>The position is the larger of two lower bounds: the offsets this pod's consumer has applied (exact and immediate,
 * for the partitions this pod holds) and the group's committed offsets (for the partitions another pod holds; they
 * trail what was applied by up to the connector's commit interval, so such a pod's recent work makes a request wait
 * a few seconds at most, never answer wrongly).
 *
 * <p>Left open on purpose: a registration still in ingestion-service's outbox (committed there, not yet published,
 * normally for milliseconds) is not in the topic, so an estimation naming the dataset in that instant is a 404. A
 * dataset has no version to estimate from until rows are appended and sealed, which takes far longer than the relay.
 */
@ApplicationScoped
public class ReplicaPosition {

    private static final Logger LOG = Logger.getLogger(ReplicaPosition.class);
    /** The consumer group of the replica (application.properties, channels datasets and dataset-chunks). */
    static final String GROUP = "estimation-replica";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** Per partition of the datasets topic: the next offset after the last record this pod applied. */
    private final ConcurrentHashMap<Integer, Long> applied = new ConcurrentHashMap<>();
    private volatile Admin admin;
    private volatile int datasetPartitions;

    /**
     * Connects the admin client in the background at start-up, so that the first request that needs the end offsets
     * does not pay for the connection and the metadata (about a second); a broker not there yet only logs a warning.
     */
    void warm(@Observes StartupEvent event) {
        Thread warmUp = new Thread(this::endOffsets, "replica-position-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** The consumer applied (or dead-lettered) the record at {@code offset}: the replica's state includes it. */
    void processed(String topic, int partition, long offset) {
        if (Topics.DATASETS.equals(topic)) {
            applied.merge(partition, offset + 1, Math::max);
        }
    }

    /**
     * The datasets topic's end offsets now: a later {@link #reached} says whether the replica has applied everything
     * published before this moment. Empty when the broker cannot be asked (the caller then cannot rule out a lag).
     */
    public Optional<Map<Integer, Long>> endOffsets() {
        try {
            Admin a = admin();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            int partitions = datasetPartitions;
            if (partitions == 0) {
                partitions = a.describeTopics(java.util.List.of(Topics.DATASETS)).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(Topics.DATASETS).partitions().size();
                datasetPartitions = partitions; // partitions are only ever added, by an operator: a restart picks them up
            }
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(Topics.DATASETS, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = a.listOffsets(latest).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<Integer, Long> out = new HashMap<>();
            ends.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return Optional.of(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            LOG.warnf("cannot read the end offsets of %s: %s", Topics.DATASETS, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Whether the replica has applied every record below {@code ends}: this pod's own progress first (no round trip
     * when it holds the partitions), the group's committed offsets for the rest.
     */
    public boolean reached(Map<Integer, Long> ends) {
        Map<Integer, Long> behind = new HashMap<>();
        ends.forEach((p, end) -> {
            if (end > applied.getOrDefault(p, 0L)) {
                behind.put(p, end);
            }
        });
        if (behind.isEmpty()) {
            return true;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (Map.Entry<Integer, Long> b : behind.entrySet()) {
                OffsetAndMetadata c = committed.get(new TopicPartition(Topics.DATASETS, b.getKey()));
                if (c == null || c.offset() < b.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debugf("cannot read the committed offsets of %s: %s", GROUP, e.toString());
            return false;
        }
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                a = admin;
                if (a == null) {
                    Map<String, Object> config = new HashMap<>();
                    kafkaConfig.forEach((k, v) -> {
                        if (AdminClientConfig.configNames().contains(k)) {
                            config.put(k, v);
                        }
                    });
                    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "estimation-replica-position");
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
                    admin = a = Admin.create(config);
                }
            }
        }
        return a;
    }

    @PreDestroy
    void close() {
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofSeconds(1));
        }
    }
}
