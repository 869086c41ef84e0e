package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.chunks.Checksums;
import io.counterfact.common.chunks.ColumnType;
import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.common.events.CloudEventHeaders;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test data as ingestion-service produces it: row groups encoded by {@link RowGroupBuilder}, batch digests and version
 * checksums by {@link Checksums}, chunk records with OutboxWriter's headers, commit events checked against the JSON
 * Schemas by {@link EventSchemas}, so that the fixtures cannot drift from the contract.
 */
final class Fixtures {

    static final String SOURCE = "/counterfact/ingestion-service";
    static final String[] LEVELS = {"south", "north", "East", "west", "alpha", "Zeta", "north-east", "ünïcode"};

    record Col(String name, ColumnType type) {
    }

    /** Rows by column: numeric/binary as doubles (NaN missing), categorical as strings (null missing). */
    record Table(List<Col> columns, int rows, double[][] numbers, String[][] levels) {

        Table slice(int from, int to) {
            double[][] n = new double[columns.size()][];
            String[][] l = new String[columns.size()][];
            for (int c = 0; c < columns.size(); c++) {
                n[c] = numbers[c] == null ? null : Arrays.copyOfRange(numbers[c], from, to);
                l[c] = levels[c] == null ? null : Arrays.copyOfRange(levels[c], from, to);
            }
            return new Table(columns, to - from, n, l);
        }
    }

    record Batch(UUID id, long rows, List<byte[]> rowGroups, byte[] digest) {
    }

    private Fixtures() {
    }

    static List<Col> columns() {
        return List.of(new Col("y", ColumnType.NUMERIC), new Col("t", ColumnType.BINARY),
                new Col("region", ColumnType.CATEGORICAL), new Col("x1", ColumnType.NUMERIC),
                new Col("segment", ColumnType.CATEGORICAL));
    }

    static Table random(long seed, int rows, List<Col> columns) {
        Random random = new Random(seed);
        double[][] numbers = new double[columns.size()][];
        String[][] levels = new String[columns.size()][];
        for (int c = 0; c < columns.size(); c++) {
            switch (columns.get(c).type()) {
                case NUMERIC -> {
                    numbers[c] = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        numbers[c][r] = random.nextInt(10) == 0 ? Double.NaN : random.nextGaussian() * 100;
                    }
                }
                case BINARY -> {
                    numbers[c] = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        numbers[c][r] = random.nextInt(20) == 0 ? Double.NaN : random.nextInt(2);
                    }
                }
                case CATEGORICAL -> {
                    levels[c] = new String[rows];
                    for (int r = 0; r < rows; r++) {
                        // a level set that changes along the rows, so row groups see different first-seen orders
                        int spread = 2 + (r * 7 / Math.max(1, rows)) % LEVELS.length;
                        levels[c][r] = random.nextInt(14) == 0 ? null : LEVELS[(random.nextInt(spread) + r / 97) % LEVELS.length];
                    }
                }
            }
        }
        return new Table(columns, rows, numbers, levels);
    }

    /** The rows of {@code table}, encoded as one batch of row groups of {@code rowsPerGroup} rows. */
    static Batch batch(Table table, int rowsPerGroup) {
        RowGroupBuilder builder = new RowGroupBuilder(table.columns().stream().map(Col::type).toList(), rowsPerGroup);
        List<byte[]> groups = new ArrayList<>();
        MessageDigest digest = Checksums.sha256();
        for (int r = 0; r < table.rows(); r++) {
            for (int c = 0; c < table.columns().size(); c++) {
                switch (table.columns().get(c).type()) {
                    case NUMERIC -> builder.setNumeric(c, table.numbers()[c][r]);
                    case BINARY -> builder.setBinary(c, Double.isNaN(table.numbers()[c][r]) ? -1 : (int) table.numbers()[c][r]);
                    case CATEGORICAL -> builder.setCategorical(c, table.levels()[c][r]);
                }
            }
            builder.endRow();
            if (builder.isFull()) {
                flush(builder, groups, digest);
            }
        }
        if (!builder.isEmpty()) {
            flush(builder, groups, digest);
        }
        return new Batch(UUID.randomUUID(), table.rows(), groups, digest.digest());
    }

    private static void flush(RowGroupBuilder builder, List<byte[]> groups, MessageDigest digest) {
        byte[] encoded = builder.encode();
        groups.add(encoded);
        digest.update(encoded);
        builder.reset();
    }

    static String checksum(String previous, List<Batch> sealed) {
        return Checksums.versionChecksum(previous, sealed.stream().map(Batch::digest).toList());
    }

    static String datasetId() {
        return "ds_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A version-committed envelope listing {@code all} batches; fails the test if it breaks the contract. */
    static ObjectNode commit(ObjectMapper json, String datasetId, int version, String checksum, List<Col> columns,
                             List<Batch> all) {
        ObjectNode data = json.createObjectNode()
                .put("datasetId", datasetId)
                .put("name", "fixture " + datasetId)
                .put("version", version)
                .put("rows", all.stream().mapToLong(Batch::rows).sum())
                .put("checksum", checksum)
                .put("committedAt", Instant.now().toString());
        ArrayNode cols = data.putArray("columns");
        for (Col c : columns) {
            cols.addObject().put("name", c.name()).put("type", c.type().apiName());
        }
        ArrayNode batches = data.putArray("batches");
        for (Batch b : all) {
            batches.addObject().put("batchId", b.id().toString()).put("rows", b.rows())
                    .put("rowGroups", b.rowGroups().size()).put("digest", Checksums.hex(b.digest()));
        }
        ObjectNode envelope = json.valueToTree(EventEnvelope.of(EventTypes.DATASET_VERSION_COMMITTED, 1, SOURCE, datasetId,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", data));
        assertEquals(List.of(), EventSchemas.violations(envelope), "fixture breaks the event contract");
        return envelope;
    }

    static ProducerRecord<String, byte[]> event(ObjectMapper json, ObjectNode envelope) {
        try {
            return new ProducerRecord<>(Topics.DATASETS, envelope.get("subject").asText(), json.writeValueAsBytes(envelope));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chunk record exactly as ingestion's outbox relay publishes it (a fresh event id each call). */
    static ProducerRecord<String, byte[]> chunk(String datasetId, Batch batch, int index, int version) {
        return chunk(datasetId, batch.id(), index, version, batch.rowGroups().get(index));
    }

    static ProducerRecord<String, byte[]> chunk(String datasetId, UUID batch, int index, int version, byte[] payload) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.DATASET_CHUNKS, datasetId, payload);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put(CloudEventHeaders.SPEC_VERSION, EventEnvelope.SPEC_VERSION);
        headers.put(CloudEventHeaders.ID, UUID.randomUUID().toString());
        headers.put(CloudEventHeaders.TYPE, EventTypes.DATASET_CHUNK);
        headers.put(CloudEventHeaders.SOURCE, SOURCE);
        headers.put(CloudEventHeaders.SUBJECT, datasetId);
        headers.put(CloudEventHeaders.TIME, Instant.now().toString());
        headers.put(CloudEventHeaders.SCHEMA_VERSION, "1");
        headers.put(CloudEventHeaders.CONTENT_TYPE, "application/vnd.counterfact.row-group");
        headers.put(ChunkHeaders.BATCH, batch.toString());
        headers.put(ChunkHeaders.ROW_GROUP, Integer.toString(index));
        headers.put(ChunkHeaders.VERSION, Integer.toString(version));
        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads {@code topic} from its beginning until a record matches, or fails after {@code timeout}. */
    static ConsumerRecord<String, byte[]> findRecord(String bootstrap, String topic, Duration timeout,
                                                     Predicate<ConsumerRecord<String, byte[]>> match) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (match.test(r)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no matching record on " + topic + " within " + timeout);
    }

    /** The frame holds exactly the table: values, NaN for missing, categorical levels sorted. */
    static void assertFrameEquals(Table expected, DataFrame frame) {
        assertEquals(expected.rows(), frame.rowCount());
        assertEquals(expected.columns().stream().map(Col::name).toList(), frame.names());
        for (int c = 0; c < expected.columns().size(); c++) {
            Col col = expected.columns().get(c);
            Column actual = frame.column(col.name());
            assertEquals(col.type().apiName(), actual.type().apiName(), col.name());
            if (col.type() == ColumnType.CATEGORICAL) {
                TreeSet<String> distinct = new TreeSet<>();
                for (String level : expected.levels()[c]) {
                    if (level != null) {
                        distinct.add(level);
                    }
                }
                assertEquals(new ArrayList<>(distinct), actual.levels(), col.name() + " levels, sorted");
                String[] decoded = new String[expected.rows()];
                for (int r = 0; r < expected.rows(); r++) {
                    int code = actual.codes()[r];
                    decoded[r] = code < 0 ? null : actual.levels().get(code);
                }
                assertArrayEquals(expected.levels()[c], decoded, col.name());
            } else {
                assertArrayEquals(expected.numbers()[c], actual.values(), col.name()); // NaN equals NaN here
                for (int r = 0; r < expected.rows(); r++) {
                    assertTrue(Double.isNaN(expected.numbers()[c][r]) == actual.isMissing(r), col.name() + " row " + r);
                }
            }
        }
    }
}
