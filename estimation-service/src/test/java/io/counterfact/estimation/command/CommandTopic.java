package io.counterfact.estimation.command;

import io.counterfact.common.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The command topic as the tests see it: where a command is, and whether the workers' group committed past it. */
final class CommandTopic {

    static final String GROUP = "estimation-workers";

    /** Where one record is. */
    record Position(int partition, long offset) {
    }

    private CommandTopic() {
    }

    static Position send(String bootstrap, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            var m = producer.send(new ProducerRecord<>(Topics.ESTIMATION_COMMANDS, key, value)).get();
            return new Position(m.partition(), m.offset());
        }
    }

    /** The (first) command of estimation {@code key} on the topic, read from the beginning. */
    static Position find(String bootstrap, String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ESTIMATION_COMMANDS).stream()
                    .map(p -> new TopicPartition(Topics.ESTIMATION_COMMANDS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        return new Position(r.partition(), r.offset());
                    }
                }
            }
        }
        throw new AssertionError("no command of " + key + " on " + Topics.ESTIMATION_COMMANDS);
    }

    /** The workers' committed offset of the record's partition (-1 if none): past the record once it is done. */
    static long committed(String bootstrap, Position record) throws Exception {
        TopicPartition tp = new TopicPartition(Topics.ESTIMATION_COMMANDS, record.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(tp);
            return committed == null ? -1 : committed.offset();
        }
    }

    /** Waits until the workers committed past {@code record}: they processed it (acknowledged). */
    static void awaitConsumed(String bootstrap, Position record) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .until(() -> committed(bootstrap, record) > record.offset());
    }
}
