package io.counterfact.infra;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocalInfraTest {

    @Test
    void postgresServesADatabaseOfItsOwn() throws Exception {
        try (LocalPostgres postgres = LocalPostgres.start(null, 0)) {
            postgres.createDatabase("ingestion");
            postgres.createDatabase("ingestion"); // idempotent: a second ./run.sh finds it
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("ingestion"), LocalPostgres.USER, LocalPostgres.PASSWORD);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
                rs.next();
                assertEquals("ingestion", rs.getString(1));
            }
        }
    }

    @Test
    void kafkaKeepsMessagesAcrossARestart() {
        try (LocalKafka kafka = LocalKafka.start(null, 0)) {
            kafka.createTopics(Map.of("t", 2));
            Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all");
            try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "before")).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            kafka.restart();
            Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "g", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<String> seen = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("t"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        seen.add(r.value());
                    }
                }
            }
            assertEquals(List.of("before"), seen);
        }
    }
}
