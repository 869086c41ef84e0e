package io.counterfact.ingestion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.chunks.Checksums;
import io.counterfact.common.chunks.RowGroup;
import io.counterfact.common.events.CloudEventHeaders;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.infra.InjectKafka;
import io.counterfact.infra.LocalKafka;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transactional outbox against a real broker: every event of a dataset is published exactly once, in order,
 * even when the broker is down while rows are appended and sealed, and comes back later.
 */
@QuarkusTest
class OutboxDeliveryTest {

    @InjectKafka
    LocalKafka kafka;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void eventsSurviveABrokerOutageAndArePublishedOnceEach() throws Exception {
        String dataset = DatasetApiTest.register();
        int rows = 50_000; // three columns: three row groups of at most 21,845 rows
        StringBuilder csv = new StringBuilder("y,t,region\n");
        for (int i = 0; i < rows; i++) {
            csv.append(i * 0.5).append(',').append(i % 2).append(',').append(i % 3 == 0 ? "north" : "south").append('\n');
        }

        kafka.stop();
        String checksum;
        try {
            given().header("Authorization", TestTokens.analyst()).contentType("text/csv").body(csv.toString())
                    .when().post("/api/datasets/{id}/rows", dataset).then().statusCode(200);
            checksum = given().header("Authorization", TestTokens.analyst())
                    .when().post("/api/datasets/{id}/versions", dataset)
                    .then().statusCode(201).extract().path("checksum");
            Thread.sleep(2000); // the relay is trying meanwhile
        } finally {
            kafka.restart();
        }

        List<ConsumerRecord<String, byte[]>> records = readUntil(dataset, 5, Duration.ofSeconds(120));
        Map<String, Integer> perEventId = new HashMap<>();
        List<String> types = new ArrayList<>();
        MessageDigest batchDigest = Checksums.sha256();
        long chunkRows = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            String id;
            String type;
            if (r.topic().equals(Topics.DATASET_CHUNKS)) {
                id = header(r, CloudEventHeaders.ID);
                type = header(r, CloudEventHeaders.TYPE);
                batchDigest.update(r.value());
                chunkRows += RowGroup.decode(r.value()).rows();
            } else {
                JsonNode event = json.readTree(r.value());
                assertEquals(List.of(), EventSchemas.violations(event), "event matches its schema");
                id = event.get("id").asText();
                type = event.get("type").asText();
            }
            UUID.fromString(id);
            perEventId.merge(id, 1, Integer::sum);
            types.add(type);
        }
        assertTrue(perEventId.values().stream().allMatch(n -> n == 1), "each event published once: " + perEventId);
        assertEquals(List.of(EventTypes.DATASET_REGISTERED, EventTypes.DATASET_CHUNK, EventTypes.DATASET_CHUNK,
                EventTypes.DATASET_CHUNK, EventTypes.DATASET_VERSION_COMMITTED), types);
        assertEquals(rows, chunkRows);
        // the chunks as published are exactly the sealed content
        assertEquals(checksum, Checksums.versionChecksum(null, List.of(batchDigest.digest())));
    }

    /** All records keyed by the dataset on both dataset topics, chunks and commits in their own topic order. */
    private List<ConsumerRecord<String, byte[]>> readUntil(String dataset, int expected, Duration timeout) throws Exception {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> registered = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> chunks = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> committed = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DATASETS, Topics.DATASET_CHUNKS));
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!dataset.equals(r.key())) {
                        continue;
                    }
                    if (r.topic().equals(Topics.DATASET_CHUNKS)) {
                        chunks.add(r);
                    } else if (new String(r.value(), StandardCharsets.UTF_8).contains(EventTypes.DATASET_REGISTERED)) {
                        registered.add(r);
                    } else {
                        committed.add(r);
                    }
                }
                if (registered.size() + chunks.size() + committed.size() >= expected) {
                    // linger a little: a duplicate would arrive now
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
                        if (dataset.equals(r.key())) {
                            (r.topic().equals(Topics.DATASET_CHUNKS) ? chunks : committed).add(r);
                        }
                    }
                    break;
                }
            }
        }
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(registered);
        all.addAll(chunks);
        all.addAll(committed);
        return all;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
