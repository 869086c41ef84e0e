package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.Topics;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replica against a real Kafka broker and a real PostgreSQL: records produced as ingestion-service produces them. */
@QuarkusTest
class ReplicationTest {

    static final Duration PATIENCE = Duration.ofSeconds(90);
    private static KafkaProducer<String, byte[]> producer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore store;

    @Inject
    DataSource dataSource;

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void chunksThenCommitMakeAReadyVersionThatLoadsAsTheInput() {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(1, 2_500, Fixtures.columns());
        Fixtures.Batch first = Fixtures.batch(table.slice(0, 1_000), 300);   // 4 row groups
        Fixtures.Batch second = Fixtures.batch(table.slice(1_000, 2_500), 400); // 4 row groups
        String checksum = Fixtures.checksum(null, List.of(first, second));
        sendChunks(ds, first, 1);
        sendChunks(ds, second, 1);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, checksum, table.columns(), List.of(first, second))));

        awaitStatus(ds, 1, ReplicaVersion.Status.READY);
        given().header("Authorization", TestTokens.viewer())
                .when().get("/api/replica/datasets/{id}/versions/{v}", ds, 1)
                .then().statusCode(200)
                .body("datasetId", equalTo(ds)).body("version", equalTo(1)).body("status", equalTo("READY"))
                .body("rows", equalTo(2_500)).body("checksum", equalTo(checksum))
                .body("rowGroupsExpected", equalTo(8)).body("rowGroupsPresent", equalTo(8))
                .body("columns", hasSize(5)).body("columns[2].name", equalTo("region"))
                .body("columns[2].type", equalTo("categorical")).body("reason", nullValue());

        DataFrame frame = store.load(ds, 1);
        Fixtures.assertFrameEquals(table, frame);
        assertSame(frame, store.load(ds, 1), "the second load comes from the cache");
    }

    @Test
    void aCommitBeforeItsChunksCompletesWhenTheLastChunkLands() {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(2, 1_200, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 250); // 5 row groups
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)),
                table.columns(), List.of(batch))));
        ReplicaVersion pending = awaitStatus(ds, 1, ReplicaVersion.Status.PENDING);
        assertEquals(0, pending.rowGroupsPresent());
        assertEquals(5, pending.rowGroupsExpected());

        for (int g = 4; g >= 1; g--) { // out of order, the first last
            send(Fixtures.chunk(ds, batch, g, 1));
        }
        await().atMost(PATIENCE).until(() -> store.find(ds, 1).orElseThrow().rowGroupsPresent() == 4);
        assertEquals(ReplicaVersion.Status.PENDING, store.find(ds, 1).orElseThrow().status());
        assertThrows(ReplicaStore.NotReadyException.class, () -> store.load(ds, 1));

        send(Fixtures.chunk(ds, batch, 0, 1));
        awaitStatus(ds, 1, ReplicaVersion.Status.READY);
        Fixtures.assertFrameEquals(table, store.load(ds, 1));
    }

    @Test
    void duplicateChunksAndCommitsAreAppliedOnce() throws Exception {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(3, 900, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 300); // 3 row groups
        for (int g = 0; g < 3; g++) {
            ProducerRecord<String, byte[]> chunk = Fixtures.chunk(ds, batch, g, 1);
            send(chunk);
            send(chunk); // a redelivery: the same event id
        }
        ProducerRecord<String, byte[]> sameRowGroup = Fixtures.chunk(ds, batch, 1, 1); // another event id
        send(sameRowGroup);
        String sameRowGroupId = new String(sameRowGroup.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
        ObjectNode commit = Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)), table.columns(), List.of(batch));
        send(Fixtures.event(json, commit));
        send(Fixtures.event(json, commit));
        ObjectNode again = commit.deepCopy().put("id", UUID.randomUUID().toString()); // same content, another id
        send(Fixtures.event(json, again));

        awaitStatus(ds, 1, ReplicaVersion.Status.READY);
        // the last duplicates of each topic have been consumed once the inbox holds their ids
        await().atMost(PATIENCE).until(() -> count("SELECT count(*) FROM inbox WHERE event_id = ?", again.get("id").asText()) == 1);
        await().atMost(PATIENCE).until(() -> count("SELECT count(*) FROM inbox WHERE event_id = ?", sameRowGroupId) == 1);
        assertEquals(3, count("SELECT count(*) FROM replica_row_group WHERE batch_id = ?::uuid", batch.id().toString()));
        assertEquals(1, count("SELECT count(*) FROM replica_version WHERE dataset_id = ?", ds));
        assertEquals(1, count("SELECT count(*) FROM replica_version_batch WHERE dataset_id = ?", ds));
        ReplicaVersion v = store.find(ds, 1).orElseThrow();
        assertEquals(900, v.rows());
        assertEquals(3, v.rowGroupsPresent());
        Fixtures.assertFrameEquals(table, store.load(ds, 1));
    }

    @Test
    void versionTwoIsVersionOnesBatchesPlusNewOnes() throws Exception {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(4, 1_700, Fixtures.columns());
        Fixtures.Batch a = Fixtures.batch(table.slice(0, 1_000), 400);
        Fixtures.Batch b = Fixtures.batch(table.slice(1_000, 1_500), 400);
        Fixtures.Batch c = Fixtures.batch(table.slice(1_500, 1_700), 400);
        String v1 = Fixtures.checksum(null, List.of(a));
        String v2 = Fixtures.checksum(v1, List.of(b, c));
        sendChunks(ds, a, 1);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, v1, table.columns(), List.of(a))));
        sendChunks(ds, b, 2); // a seal publishes only the new batches' chunks
        sendChunks(ds, c, 2);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 2, v2, table.columns(), List.of(a, b, c))));

        awaitStatus(ds, 1, ReplicaVersion.Status.READY);
        ReplicaVersion two = awaitStatus(ds, 2, ReplicaVersion.Status.READY);
        assertEquals(1_700, two.rows());
        assertEquals(v2, two.checksum());
        assertEquals(a.rowGroups().size() + b.rowGroups().size() + c.rowGroups().size(), two.rowGroupsPresent());
        Fixtures.assertFrameEquals(table.slice(0, 1_000), store.load(ds, 1));
        Fixtures.assertFrameEquals(table, store.load(ds, 2));
        assertEquals(1, count("SELECT count(*) FROM replica_row_group WHERE batch_id = ?::uuid AND idx = 0", a.id().toString()),
                "version 1's row groups are stored once");
    }

    @Test
    void aVersionWhosePredecessorsCommitIsMissingWaitsForItToCheckTheChecksumChain() {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(10, 600, Fixtures.columns());
        Fixtures.Batch a = Fixtures.batch(table.slice(0, 400), 400);
        Fixtures.Batch b = Fixtures.batch(table.slice(400, 600), 400);
        String v1 = Fixtures.checksum(null, List.of(a));
        sendChunks(ds, a, 1);
        sendChunks(ds, b, 2);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 2, Fixtures.checksum(v1, List.of(b)), table.columns(), List.of(a, b))));
        await().atMost(PATIENCE).until(() -> store.find(ds, 2).map(v -> v.reason() != null).orElse(false));
        ReplicaVersion waiting = store.find(ds, 2).orElseThrow();
        assertEquals(ReplicaVersion.Status.PENDING, waiting.status());
        assertEquals(waiting.rowGroupsExpected(), waiting.rowGroupsPresent());
        assertTrue(waiting.reason().contains("waiting for version 1's commit event"), waiting.reason());

        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, v1, table.columns(), List.of(a))));
        awaitStatus(ds, 2, ReplicaVersion.Status.READY);
        assertEquals(ReplicaVersion.Status.READY, store.find(ds, 1).orElseThrow().status());
        Fixtures.assertFrameEquals(table, store.load(ds, 2));
    }

    @Test
    void aTamperedChunkMakesTheVersionCorruptWithAReason() {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(5, 800, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 400);
        byte[] tampered = batch.rowGroups().get(1).clone();
        tampered[13 + 8 * 5] ^= 0x01; // one bit of row 5 of column y (numeric): still a well-formed row group
        send(Fixtures.chunk(ds, batch, 0, 1));
        send(Fixtures.chunk(ds, batch.id(), 1, 1, tampered));
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)), table.columns(),
                List.of(batch))));

        ReplicaVersion v = awaitStatus(ds, 1, ReplicaVersion.Status.CORRUPT);
        assertTrue(v.reason().contains("batch " + batch.id()) && v.reason().contains("digest"), v.reason());
        given().header("Authorization", TestTokens.analyst())
                .when().get("/api/replica/datasets/{id}/versions/{v}", ds, 1)
                .then().statusCode(200).body("status", equalTo("CORRUPT")).body("reason", containsString("digest"));
        ReplicaStore.NotReadyException refused = assertThrows(ReplicaStore.NotReadyException.class, () -> store.load(ds, 1));
        assertTrue(refused.getMessage().contains("CORRUPT"), refused.getMessage());
    }

    @Test
    void aWrongVersionChecksumMakesTheVersionCorrupt() {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(6, 300, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 400);
        String wrong = Fixtures.checksum("sha256:" + "ab".repeat(32), List.of(batch));
        sendChunks(ds, batch, 1);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, wrong, table.columns(), List.of(batch))));
        ReplicaVersion v = awaitStatus(ds, 1, ReplicaVersion.Status.CORRUPT);
        assertTrue(v.reason().contains("checksum recomputes to"), v.reason());
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicsAndTheNextRecordsAreStillApplied() {
        String ds = Fixtures.datasetId(); // one key: the poison and the good records share a partition
        byte[] notARowGroup = ("not a row group " + ds).getBytes(StandardCharsets.UTF_8);
        ProducerRecord<String, byte[]> badChunk = Fixtures.chunk(ds, UUID.randomUUID(), 0, 1, notARowGroup);
        ProducerRecord<String, byte[]> noHeaders = new ProducerRecord<>(Topics.DATASET_CHUNKS, ds,
                ("no headers " + ds).getBytes(StandardCharsets.UTF_8));
        byte[] notJson = ("{not json " + ds).getBytes(StandardCharsets.UTF_8);
        ObjectNode unknownType = Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of()), Fixtures.columns(),
                List.of(Fixtures.batch(Fixtures.random(7, 10, Fixtures.columns()), 10)));
        unknownType.put("type", "io.counterfact.dataset.renamed");
        send(badChunk);
        send(noHeaders);
        send(new ProducerRecord<>(Topics.DATASETS, ds, notJson));
        send(Fixtures.event(json, unknownType));

        Fixtures.Table table = Fixtures.random(8, 600, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 400);
        sendChunks(ds, batch, 1);
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)), table.columns(),
                List.of(batch))));
        awaitStatus(ds, 1, ReplicaVersion.Status.READY);
        Fixtures.assertFrameEquals(table, store.load(ds, 1));

        ConsumerRecord<String, byte[]> dead = Fixtures.findRecord(bootstrap, Topics.dlq(Topics.DATASET_CHUNKS), PATIENCE,
                r -> ds.equals(r.key()) && Arrays.equals(notARowGroup, r.value()));
        assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8)
                .contains("bad magic"));
        Fixtures.findRecord(bootstrap, Topics.dlq(Topics.DATASET_CHUNKS), PATIENCE,
                r -> ds.equals(r.key()) && new String(r.value(), StandardCharsets.UTF_8).startsWith("no headers"));
        Fixtures.findRecord(bootstrap, Topics.dlq(Topics.DATASETS), PATIENCE,
                r -> ds.equals(r.key()) && Arrays.equals(notJson, r.value()));
        ConsumerRecord<String, byte[]> unknown = Fixtures.findRecord(bootstrap, Topics.dlq(Topics.DATASETS), PATIENCE,
                r -> ds.equals(r.key()) && new String(r.value(), StandardCharsets.UTF_8).contains("io.counterfact.dataset.renamed"));
        assertTrue(new String(unknown.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8)
                .contains("no schema for event type"));
    }

    @Test
    void awaitReadyAnswersAtOnceForReadyWaitsForPendingAndTimesOutForUnknown() throws Exception {
        String ds = Fixtures.datasetId();
        Fixtures.Table table = Fixtures.random(9, 700, Fixtures.columns());
        Fixtures.Batch batch = Fixtures.batch(table, 350); // 2 row groups
        send(Fixtures.chunk(ds, batch, 0, 1));
        send(Fixtures.event(json, Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)), table.columns(),
                List.of(batch))));
        awaitStatus(ds, 1, ReplicaVersion.Status.PENDING);

        CompletableFuture<Optional<ReplicaVersion>> waiting = CompletableFuture.supplyAsync(
                () -> store.awaitReady(ds, 1, Duration.ofSeconds(60)));
        Thread.sleep(1_000);
        assertFalse(waiting.isDone(), "a PENDING version is waited for");
        long sent = System.nanoTime();
        send(Fixtures.chunk(ds, batch, 1, 1));
        Optional<ReplicaVersion> ready = waiting.get(90, TimeUnit.SECONDS);
        assertEquals(ReplicaVersion.Status.READY, ready.orElseThrow().status());
        assertTrue(System.nanoTime() - sent < Duration.ofSeconds(55).toNanos());

        long started = System.nanoTime();
        assertEquals(ReplicaVersion.Status.READY, store.awaitReady(ds, 1, Duration.ofSeconds(10)).orElseThrow().status());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "a READY version is answered at once");

        started = System.nanoTime();
        assertEquals(Optional.empty(), store.awaitReady(ds, 2, Duration.ofMillis(700)));
        long waited = System.nanoTime() - started;
        assertTrue(waited >= Duration.ofMillis(700).toNanos() && waited < Duration.ofSeconds(5).toNanos(),
                "an unknown version is waited for until the timeout: " + waited / 1_000_000 + " ms");
    }

    @Test
    void theReadApiNeedsTheGatewaysTokenAndAnswersProblemsForUnknownVersions() {
        given().when().get("/api/replica/datasets/{id}/versions/{v}", "ds_nope", 1)
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer dev-token").when().get("/api/replica/datasets/{id}/versions/{v}", "ds_nope", 1)
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestTokens.viewer()).when().get("/api/replica/datasets/{id}/versions/{v}", "ds_nope", 1)
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("ds_nope"));
        given().header("Authorization", TestTokens.viewer()).when().get("/api/replica/datasets/{id}/versions/{v}", "ds_nope", "x")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("version"));
    }

    @Test
    void healthMetricsAndOpenApiAreServedWithoutAToken() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("counterfact_replica_versions")).body(containsString("counterfact_replica_cache_bytes"));
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/replica/datasets/{id}/versions/{version}"));
    }

    private void sendChunks(String ds, Fixtures.Batch batch, int version) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int g = 0; g < batch.rowGroups().size(); g++) {
            records.add(Fixtures.chunk(ds, batch, g, version));
        }
        records.forEach(this::send);
    }

    private void send(ProducerRecord<String, byte[]> record) {
        try {
            producer().send(record).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not produce to " + record.topic(), e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        synchronized (ReplicationTest.class) {
            if (producer == null) {
                producer = Fixtures.producer(bootstrap);
            }
            return producer;
        }
    }

    private ReplicaVersion awaitStatus(String ds, int version, ReplicaVersion.Status status) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> store.find(ds, version).map(ReplicaVersion::status).orElse(null) == status);
        return store.find(ds, version).orElseThrow();
    }

    private long count(String sql, String parameter) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
