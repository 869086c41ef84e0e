package io.counterfact.query;

import io.counterfact.common.events.Topics;
import io.counterfact.query.consumer.EventProcessor;
import io.counterfact.query.consumer.Origin;
import io.counterfact.query.consumer.PoisonEventException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.counterfact.query.EstimationEventsConsumerTest.send;
import static io.counterfact.query.EstimationFixtures.accepted;
import static io.counterfact.query.EstimationFixtures.completed;
import static io.counterfact.query.EstimationFixtures.estimationId;
import static io.counterfact.query.EstimationFixtures.failed;
import static io.counterfact.query.EstimationFixtures.progress;
import static io.counterfact.query.EstimationFixtures.result;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The read model is a function of the events: emptying the query database and replaying both topics from the first
 * offset, through the same processor the consumer uses, rebuilds views equal to the ones built live, row for row.
 */
@QuarkusTest
class RebuildViewsTest {

    private static final List<String> TOPICS = List.of(Topics.DATASETS, Topics.ESTIMATION_EVENTS);
    /** Every table of the read model, with the order that makes a dump comparable. */
    private static final Map<String, String> VIEWS = Map.of(
            "dataset_view", "id",
            "dataset_version_view", "dataset_id, version",
            "estimation_view", "id",
            "estimate_view", "dataset_id, method");

    @Inject
    DataSource dataSource;

    @Inject
    EventProcessor processor;

    @Test
    void replayingTheTopicsIntoAnEmptyDatabaseRebuildsIdenticalViews() throws Exception {
        // a history of its own, whatever the other tests left in the topics: datasets, and estimations in every state
        String datasetId = EstimationEventsConsumerTest.datasetWithVersion();
        TestKafka.send(datasetId, Fixtures.text(Fixtures.versionCommitted(datasetId, 2, 150)));
        Instant t0 = Instant.now().minusSeconds(300);
        for (int i = 0; i < 6; i++) {
            String id = estimationId();
            send(accepted(id, datasetId, i % 2 == 0 ? "aipw" : "ipw", t0.plusSeconds(i)));
            if (i >= 1) {
                send(progress(id, 1, 0.4, "fitting", t0.plusSeconds(i + 1)));
            }
            if (i >= 2 && i % 3 != 0) {
                send(completed(id, datasetId, result(i % 2 == 0 ? "aipw" : "ipw", i), 1, t0.plusSeconds(i + 1),
                        t0.plusSeconds(i + 2)));
            } else if (i == 3) {
                send(failed(id, datasetId, "treatment 't' is constant", "treatment", false, t0.plusSeconds(i + 2)));
            }
        }
        awaitNoLag();
        Map<String, String> live = dump();
        assertFalse(live.get("estimation_view").equals("[]"), "the live views hold estimations");

        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE dataset_view, dataset_version_view, estimation_view, estimate_view, inbox");
        }
        int replayed = replay();

        Map<String, String> rebuilt = dump();
        for (String table : VIEWS.keySet()) {
            assertEquals(live.get(table), rebuilt.get(table), table + " after replaying " + replayed + " records");
        }
        assertEquals(live.get("inbox"), rebuilt.get("inbox"), "the same events applied, from the same offsets");
    }

    /** Every table as one JSON text, rows in key order; the inbox without its processing time. */
    private Map<String, String> dump() throws SQLException {
        Map<String, String> tables = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (Map.Entry<String, String> view : VIEWS.entrySet()) {
                tables.put(view.getKey(), one(s, "SELECT coalesce(json_agg(t ORDER BY " + view.getValue()
                        + ")::text, '[]') FROM " + view.getKey() + " t"));
            }
            tables.put("inbox", one(s, "SELECT coalesce(json_agg(json_build_array(event_id, event_type, subject, "
                    + "topic, kafka_partition, kafka_offset) ORDER BY event_id)::text, '[]') FROM inbox"));
        }
        return tables;
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Both topics from offset 0 to their end, partition order kept, through the consumer's processor. */
    private int replay() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = TOPICS.stream().flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            int count = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    count++;
                    try {
                        processor.process(new Origin(r.topic(), r.partition(), r.offset(), r.key()), r.value());
                    } catch (PoisonEventException e) {
                        // dead-lettered live too: not part of the views either time
                    }
                }
            }
            return count;
        }
    }

    /** Waits until the live consumer has committed every record of both topics (its views are complete). */
    private static void awaitNoLag() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("query-service")
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(TOPICS).allTopicNames()
                        .get(30, TimeUnit.SECONDS).values().stream()
                        .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                        .collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
                return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                        .allMatch(e -> e.getValue().offset() == 0 || (committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue().offset()));
            });
        }
    }
}
