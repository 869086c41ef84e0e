package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.infra.Sql;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DELETE /api/estimations/{id} (issue 24) against the real broker and database. */
@QuarkusTest
class CancellationTest {

    private static String dataset;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore replica;

    @Inject
    DataSource dataSource;

    @Inject
    RunningCommands runs;

    @BeforeEach
    void seed() throws Exception {
        synchronized (CancellationTest.class) {
            if (dataset == null) {
                dataset = LongCommands.seed(bootstrap, replica);
            }
        }
    }

    private static Response delete(String token, String id) {
        return given().header("Authorization", token).when().delete("/api/estimations/{id}", id);
    }

    /** Waits until this pod runs {@code id} in the engine (past the start and the load), then a little longer. */
    private void awaitRunningHere(String id) throws InterruptedException {
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> runs.ids().contains(id) && "RUNNING".equals(LongCommands.status(dataSource, id)));
        Thread.sleep(1_000); // into the cross-fitting and the bootstrap
        assertTrue(runs.ids().contains(id), "still running a second later");
    }

    /** @return milliseconds from {@code since} until this pod no longer runs {@code id} */
    private long millisUntilStopped(String id, long since) {
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> !runs.ids().contains(id));
        return (System.nanoTime() - since) / 1_000_000;
    }

    @Test
    void aRunningCommandStopsWithinASecondOfItsDeleteAndEndsCancelledOnce() throws Exception {
        String id = LongCommands.post(LongCommands.heavy(json, dataset));
        awaitRunningHere(id);

        long before = System.nanoTime();
        Response answer = delete(TestTokens.analyst(), id);
        long answeredMillis = (System.nanoTime() - before) / 1_000_000;
        answer.then().statusCode(202).contentType("application/json").body("id", equalTo(id))
                .body("status", equalTo("CANCELLED")).body("result", equalTo(null));
        long stoppedMillis = millisUntilStopped(id, before);
        System.out.printf("DELETE of a running aipw (5 folds, 10,000 replicates, %d rows): answered in %d ms, its run "
                + "stopped %d ms after the DELETE was sent%n", LongCommands.ROWS, answeredMillis, stoppedMillis);
        assertTrue(stoppedMillis < 5_000, "the run stopped " + stoppedMillis + " ms after the DELETE");

        // again: harmless, the same answer, no second event
        delete(TestTokens.analyst(), id).then().statusCode(202).body("status", equalTo("CANCELLED"));
        given().header("Authorization", TestTokens.viewer()).when().get("/api/estimations/{id}", id).then()
                .statusCode(200).body("status", equalTo("CANCELLED")).body("result", equalTo(null));

        List<JsonNode> cancelled = outbox(id, EventTypes.ESTIMATION_CANCELLED);
        assertEquals(1, cancelled.size(), "one EstimationCancelled");
        assertEquals(List.of(), EventSchemas.violations(cancelled.get(0)));
        assertEquals("RUNNING", cancelled.get(0).get("data").get("previousStatus").asText());
        assertEquals(1, cancelled.get(0).get("data").get("attempt").asInt());
        // the stopped run stored nothing and published nothing after it, and its command is done (not run again)
        Thread.sleep(500);
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_COMPLETED));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_FAILED));
        assertEquals("CANCELLED", LongCommands.status(dataSource, id));
        assertEquals(1, count("SELECT attempts FROM estimation WHERE id = ?", id));
        assertEquals(0, count("SELECT count(*) FROM estimation WHERE id = ? AND result IS NOT NULL", id));
    }

    @Test
    void aRunCancelledOnAnotherPodIsFoundByThePollAndStopsWithinASecond() throws Exception {
        String id = LongCommands.post(LongCommands.heavy(json, dataset));
        awaitRunningHere(id);

        long before = System.nanoTime();
        // another pod's DELETE: the row changes, this pod is not told; its poll of the ids it runs finds it
        LongCommands.cancelAsAnotherPodWould(dataSource, id);
        long stoppedMillis = millisUntilStopped(id, before);
        System.out.printf("a run cancelled by another pod stopped %d ms after its row became CANCELLED (poll every "
                + "200 ms)%n", stoppedMillis);
        assertTrue(stoppedMillis < 5_000, "the run stopped " + stoppedMillis + " ms after its cancellation");
        Thread.sleep(500);
        assertEquals("CANCELLED", LongCommands.status(dataSource, id));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_COMPLETED));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_FAILED));
    }

    @Test
    void aQueuedCommandCancelledBeforeAWorkerTakesItNeverStarts() throws Exception {
        ObjectNode request = EstimationRequest.parse(LongCommands.quick(json, dataset)).normalized(json);
        String id = LongCommands.insertQueued(dataSource, dataset, request);

        delete(TestTokens.analyst(), id).then().statusCode(202).body("status", equalTo("CANCELLED"));
        // its command reaches a worker afterwards (as one still queued on the topic would)
        ObjectNode data = json.createObjectNode().put("estimationId", id).put("datasetId", dataset).put("version", 1);
        data.set("request", request);
        data.put("acceptedAt", Instant.now().toString());
        ObjectMapper plain = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        byte[] command = plain.writeValueAsBytes(EventEnvelope.of(EventTypes.ESTIMATION_RUN, 1,
                "/counterfact/estimation-service", id, null, data));
        assertEquals(List.of(), EventSchemas.violations(plain.readTree(command)), "a valid command");
        CommandTopic.awaitConsumed(bootstrap, CommandTopic.send(bootstrap, id, command));

        assertEquals("CANCELLED", LongCommands.status(dataSource, id));
        assertEquals(0, count("SELECT attempts FROM estimation WHERE id = ?", id), "never started");
        assertNull(LongCommands.text(dataSource, "SELECT started_at::text FROM estimation WHERE id = ?", id));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_PROGRESS));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_COMPLETED));
        List<JsonNode> cancelled = outbox(id, EventTypes.ESTIMATION_CANCELLED);
        assertEquals(1, cancelled.size());
        assertEquals(List.of(), EventSchemas.violations(cancelled.get(0)));
        assertEquals("QUEUED", cancelled.get(0).get("data").get("previousStatus").asText());
        assertEquals(0, cancelled.get(0).get("data").get("attempt").asInt());
    }

    @Test
    void aCommandCancelledRightAfterItsPostEndsCancelledWithoutAResult() throws Exception {
        String id = LongCommands.post(LongCommands.heavy(json, dataset));
        delete(TestTokens.analyst(), id).then().statusCode(202).body("status", equalTo("CANCELLED"));
        // queued or just started: either way it never reaches a result, and this pod stops running it
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> !runs.ids().contains(id));
        Thread.sleep(500);
        assertEquals("CANCELLED", LongCommands.status(dataSource, id));
        assertEquals(0, count("SELECT count(*) FROM estimation WHERE id = ? AND result IS NOT NULL", id));
        assertEquals(1, outbox(id, EventTypes.ESTIMATION_CANCELLED).size());
    }

    @Test
    void aFinishedEstimationIs409AndStaysAsItWas() {
        String id = LongCommands.post(LongCommands.quick(json, dataset));
        LongCommands.awaitStatus(dataSource, id, "SUCCEEDED");
        delete(TestTokens.analyst(), id).then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo(409)).body("detail", containsString("SUCCEEDED"))
                .body("detail", containsString(id));
        assertEquals("SUCCEEDED", LongCommands.status(dataSource, id));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_CANCELLED));
    }

    @Test
    void anUnknownIdIs404() {
        delete(TestTokens.analyst(), "est_never_accepted").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("est_never_accepted"));
    }

    @Test
    void aViewerMayNotCancelAndTheEstimationIsUntouched() throws Exception {
        String id = LongCommands.insertQueued(dataSource, dataset,
                EstimationRequest.parse(LongCommands.quick(json, dataset)).normalized(json));
        delete(TestTokens.viewer(), id).then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("DELETE needs role analyst"));
        assertEquals("QUEUED", LongCommands.status(dataSource, id));
        assertEquals(List.of(), outbox(id, EventTypes.ESTIMATION_CANCELLED));
        delete(TestTokens.analyst(), id).then().statusCode(202); // tidy: it has no command to run it
    }

    @Test
    void theOpenApiDocumentShowsTheDeleteRouteAndCancelled() {
        String doc = given().when().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertTrue(doc.contains("\"delete\""), "a DELETE operation");
        assertTrue(doc.contains("CANCELLED"), "the CANCELLED status");
    }

    private long count(String sql, Object... args) {
        return Sql.count(dataSource, sql, args);
    }

    /** The events of {@code type} this service wrote for {@code id} (its outbox: what it publishes). */
    private List<JsonNode> outbox(String id, String type) {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT convert_from(payload, 'UTF8') FROM outbox WHERE record_key = ? AND event_type = ? ORDER BY id")) {
            s.setString(1, id);
            s.setString(2, type);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(json.readTree(rs.getString(1)));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
