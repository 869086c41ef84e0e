package io.counterfact.query;

import io.counterfact.common.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Produces records as the services' relays do, and reads the dead-letter topic. */
final class TestKafka {

    private static KafkaProducer<String, String> producer;

    private TestKafka() {
    }

    static String bootstrapServers() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    /** Sends a record keyed by dataset id (as the relay does) and waits for the broker's acknowledgement. */
    static RecordMetadata send(String key, String value) {
        return send(new ProducerRecord<>(Topics.DATASETS, key, value));
    }

    /** Sends a record to counterfact.estimation-events keyed by estimation id, as estimation-service's relay does. */
    static RecordMetadata sendEstimationEvent(String key, String value) {
        return send(new ProducerRecord<>(Topics.ESTIMATION_EVENTS, key, value));
    }

    /** Sends to a given partition: a barrier behind earlier records of that partition. */
    static RecordMetadata send(int partition, String key, String value) {
        return send(new ProducerRecord<>(Topics.DATASETS, partition, key, value));
    }

    private static RecordMetadata send(ProducerRecord<String, String> record) {
        try {
            return producer().send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + record.topic(), e);
        }
    }

    /** @return the offset the group committed on the partition (the next record it will read), -1 if none */
    static long committedOffset(String group, TopicPartition partition) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return committed == null ? -1 : committed.offset();
        } catch (Exception e) {
            throw new IllegalStateException("could not read the offsets of " + group, e);
        }
    }

    /** Reads the whole dead-letter topic until {@code count} records match (or the timeout passes). */
    static List<ConsumerRecord<String, String>> deadLetters(Predicate<ConsumerRecord<String, String>> filter,
                                                            int count, Duration timeout) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.dlq(Topics.DATASETS)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> found = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (filter.test(r)) {
                        found.add(r);
                    }
                });
            }
            return found;
        }
    }
}
