package io.counterfact.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events on counterfact.datasets, through the real broker, into the views and out of the API. */
@QuarkusTest
class DatasetEventsConsumerTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    DataSource dataSource;

    static ValidatableResponse overview(String id) {
        return given().header("Authorization", TestTokens.viewer())
                .when().get("/api/views/datasets/{id}", id).then();
    }

    /** The catalog page that starts with {@code id} (an {@code after} just below it). */
    static ValidatableResponse catalogAt(String id) {
        return given().header("Authorization", TestTokens.viewer())
                .queryParam("after", id.substring(0, id.length() - 1)).queryParam("limit", 1)
                .when().get("/api/views/datasets").then().statusCode(200).body("items[0].id", equalTo(id));
    }

    /** PostgreSQL keeps microseconds: the views show the event's time to the microsecond. */
    static String micros(String instant) {
        return Instant.parse(instant).truncatedTo(ChronoUnit.MICROS).toString();
    }

    static void eventually(Runnable assertion) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(assertion::run);
    }

    @Test
    void registeredThenCommittedVersionsShowInCatalogAndOverview() {
        String id = Fixtures.datasetId();
        TestKafka.send(id, Fixtures.text(Fixtures.registered(id)));
        eventually(() -> overview(id).statusCode(200)
                .body("id", equalTo(id)).body("name", equalTo("promo"))
                .body("columns", hasSize(3)).body("columns[2].name", equalTo("region"))
                .body("columns[2].type", equalTo("categorical"))
                .body("latestVersion", nullValue()).body("rows", equalTo(0)).body("checksum", nullValue())
                .body("createdAt", notNullValue()).body("updatedAt", notNullValue())
                .body("versions", empty()).body("latestEstimates", empty()));
        catalogAt(id).body("items[0].latestVersion", nullValue()).body("items[0].rows", equalTo(0))
                .body("items[0].name", equalTo("promo")).body("items[0].columns", hasSize(3));

        ObjectNode v1 = Fixtures.versionCommitted(id, 1, 5);
        TestKafka.send(id, Fixtures.text(v1));
        eventually(() -> overview(id).statusCode(200).body("latestVersion", equalTo(1)).body("rows", equalTo(5))
                .body("versions", hasSize(1)).body("versions[0].version", equalTo(1))
                .body("versions[0].rows", equalTo(5))
                .body("versions[0].checksum", equalTo(Fixtures.checksum(id, 1)))
                .body("versions[0].committedAt", equalTo(micros(v1.get("data").get("committedAt").asText()))));

        TestKafka.send(id, Fixtures.text(Fixtures.versionCommitted(id, 2, 8)));
        eventually(() -> overview(id).statusCode(200).body("latestVersion", equalTo(2)).body("rows", equalTo(8))
                .body("checksum", equalTo(Fixtures.checksum(id, 2))).body("versions", hasSize(2))
                .body("versions[1].version", equalTo(2)));
        catalogAt(id).body("items[0].latestVersion", equalTo(2)).body("items[0].rows", equalTo(8))
                .body("items[0].checksum", equalTo(Fixtures.checksum(id, 2)));
    }

    @Test
    void theSameEventDeliveredTwiceChangesTheViewsOnce() {
        String id = Fixtures.datasetId();
        ObjectNode registered = Fixtures.registered(id);
        ObjectNode committed = Fixtures.versionCommitted(id, 1, 3);
        TestKafka.send(id, Fixtures.text(registered));
        TestKafka.send(id, Fixtures.text(committed));
        eventually(() -> overview(id).statusCode(200).body("latestVersion", equalTo(1)));
        Row before = row(id);
        assertEquals(2, before.eventsApplied());
        String overviewBefore = overview(id).extract().asString();

        TestKafka.send(id, Fixtures.text(registered));
        RecordMetadata again = TestKafka.send(id, Fixtures.text(committed));
        awaitBehind(again);

        Row after = row(id);
        assertEquals(before, after, "a redelivered event must change no view");
        assertEquals(overviewBefore, overview(id).statusCode(200).extract().asString());
        assertEquals(1, inboxCount(committed));
        assertEquals(1, inboxCount(registered));
        // offsets are committed after the view transactions: the group moves past the duplicate too
        TopicPartition partition = new TopicPartition(again.topic(), again.partition());
        eventually(() -> assertTrue(TestKafka.committedOffset("query-service", partition) > again.offset()));
    }

    @Test
    void anOlderVersionOrALateRegistrationNeverRegressesTheViews() {
        String id = Fixtures.datasetId();
        ObjectNode v2 = Fixtures.versionCommitted(id, "late", Fixtures.COLUMNS, 2, 9);
        // the commit of version 2 arrives first: it creates the catalog entry on its own
        TestKafka.send(id, Fixtures.text(v2));
        eventually(() -> overview(id).statusCode(200).body("name", equalTo("late")).body("latestVersion", equalTo(2))
                .body("rows", equalTo(9)).body("createdAt", nullValue()).body("versions", hasSize(1)));

        // version 1 comes late (a replay or a redelivery under a new event id): added, but not the latest
        ObjectNode v1 = Fixtures.versionCommitted(id, "late", Fixtures.COLUMNS, 1, 4);
        TestKafka.send(id, Fixtures.text(v1));
        TestKafka.send(id, Fixtures.text(Fixtures.reissued(v1)));
        TestKafka.send(id, Fixtures.text(v2));
        eventually(() -> overview(id).statusCode(200).body("versions", hasSize(2))
                .body("versions[0].version", equalTo(1)).body("versions[0].rows", equalTo(4)));
        overview(id).body("latestVersion", equalTo(2)).body("rows", equalTo(9))
                .body("checksum", equalTo(Fixtures.checksum(id, 2)));

        // the registration comes last: it sets createdAt and erases nothing
        TestKafka.send(id, Fixtures.text(Fixtures.registered(id, "late", Fixtures.COLUMNS)));
        eventually(() -> overview(id).statusCode(200).body("createdAt", notNullValue()));
        overview(id).body("latestVersion", equalTo(2)).body("rows", equalTo(9)).body("versions", hasSize(2))
                .body("name", equalTo("late"));
        catalogAt(id).body("items[0].latestVersion", equalTo(2)).body("items[0].rows", equalTo(9));
        assertEquals(4, row(id).eventsApplied()); // v2, v1, v1 reissued (no-op on the views but a distinct event), registered
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheNextEventIsStillApplied() {
        String id = Fixtures.datasetId();
        ObjectNode good = Fixtures.registered(id);

        ObjectNode missingColumns = good.deepCopy().put("id", UUID.randomUUID().toString());
        ((ObjectNode) missingColumns.get("data")).remove("columns");
        ObjectNode unknownType = good.deepCopy().put("id", UUID.randomUUID().toString())
                .put("type", "io.counterfact.dataset.archived");
        ObjectNode unknownVersion = good.deepCopy().put("id", UUID.randomUUID().toString()).put("schemaversion", 2);
        ObjectNode otherSubject = good.deepCopy().put("id", UUID.randomUUID().toString());
        ((ObjectNode) otherSubject.get("data")).put("datasetId", "ds_someone_else");
        ObjectNode badId = good.deepCopy().put("id", "not-a-uuid"); // refused by the shared schema's uuid format
        List<String> poison = List.of("{not json", missingColumns.toString(), unknownType.toString(),
                unknownVersion.toString(), otherSubject.toString(), badId.toString());
        poison.forEach(p -> TestKafka.send(id, p));
        TestKafka.send(id, Fixtures.text(good));

        eventually(() -> overview(id).statusCode(200).body("name", equalTo("promo")));
        List<ConsumerRecord<String, String>> dead = TestKafka.deadLetters(r -> id.equals(r.key()), poison.size(), TIMEOUT);
        assertEquals(poison, dead.stream().map(ConsumerRecord::value).toList(), "each poison record, as it was sent");
        List<String> reasons = dead.stream().map(r -> header(r, "dead-letter-reason")).toList();
        assertTrue(reasons.get(0).contains("not JSON"), reasons.get(0));
        assertTrue(reasons.get(1).contains("columns"), reasons.get(1));
        assertTrue(reasons.get(2).contains("io.counterfact.dataset.archived"), reasons.get(2));
        assertTrue(reasons.get(3).contains("version 2"), reasons.get(3));
        assertTrue(reasons.get(4).contains("ds_someone_else"), reasons.get(4));
        assertTrue(reasons.get(5).contains("UUID"), reasons.get(5));
        dead.forEach(r -> assertEquals("counterfact.datasets", header(r, "dead-letter-topic")));
        assertEquals(0, inboxCount(otherSubject), "a dead-lettered event leaves no trace in the inbox");
    }

    @Test
    void aVersionContradictingAKnownOneIsDeadLetteredWithoutBlockingTheNext() {
        String id = Fixtures.datasetId();
        TestKafka.send(id, Fixtures.text(Fixtures.versionCommitted(id, 1, 5)));
        ObjectNode contradiction = Fixtures.versionCommitted(id, 1, 6);
        TestKafka.send(id, Fixtures.text(contradiction));
        TestKafka.send(id, Fixtures.text(Fixtures.versionCommitted(id, 2, 7)));
        eventually(() -> overview(id).statusCode(200).body("latestVersion", equalTo(2)).body("versions", hasSize(2))
                .body("versions[0].rows", equalTo(5)));
        List<ConsumerRecord<String, String>> dead = TestKafka.deadLetters(r -> id.equals(r.key()), 1, TIMEOUT);
        assertEquals(1, dead.size());
        assertTrue(header(dead.get(0), "dead-letter-reason").contains("already known"));
        assertEquals(0, inboxCount(contradiction));
        assertEquals(2, row(id).eventsApplied(), "the refused event's changes were rolled back");
    }

    @Test
    void aDatabaseFailureIsRetriedUntilItPassesNeverDeadLettered() throws Exception {
        String id = Fixtures.datasetId();
        execute("ALTER TABLE inbox RENAME TO inbox_away"); // every view transaction now fails (SQLSTATE 42P01)
        try {
            TestKafka.send(id, Fixtures.text(Fixtures.registered(id)));
            Thread.sleep(3000);
            overview(id).statusCode(404);
        } finally {
            execute("ALTER TABLE inbox_away RENAME TO inbox");
        }
        eventually(() -> overview(id).statusCode(200).body("name", equalTo("promo")));
        assertEquals(List.of(), TestKafka.deadLetters(r -> id.equals(r.key()), 1, Duration.ofSeconds(3)));
    }

    private void execute(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Waits until a record sent behind {@code earlier}, on its partition, has been applied. */
    private void awaitBehind(RecordMetadata earlier) {
        String marker = Fixtures.datasetId();
        TestKafka.send(earlier.partition(), marker, Fixtures.text(Fixtures.registered(marker)));
        eventually(() -> overview(marker).statusCode(200));
    }

    record Row(int eventsApplied, String updatedAt, Integer latestVersion, long rows) {
    }

    private Row row(String id) {
        return query("SELECT events_applied, updated_at::text, latest_version, rows FROM dataset_view WHERE id = ?",
                id, rs -> new Row(rs.getInt(1), rs.getString(2), (Integer) rs.getObject(3), rs.getLong(4)));
    }

    private int inboxCount(ObjectNode event) {
        return query("SELECT count(*) FROM inbox WHERE event_id = ?::uuid", event.get("id").asText(),
                rs -> rs.getInt(1));
    }

    interface Reader<T> {
        T read(ResultSet rs) throws Exception;
    }

    private <T> T query(String sql, String parameter, Reader<T> reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no row for " + parameter);
                }
                return reader.read(rs);
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
