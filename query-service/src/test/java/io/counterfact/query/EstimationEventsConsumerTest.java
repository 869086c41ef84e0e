package io.counterfact.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.counterfact.query.DatasetEventsConsumerTest.eventually;
import static io.counterfact.query.DatasetEventsConsumerTest.overview;
import static io.counterfact.query.EstimationFixtures.accepted;
import static io.counterfact.query.EstimationFixtures.cancelled;
import static io.counterfact.query.EstimationFixtures.completed;
import static io.counterfact.query.EstimationFixtures.estimationId;
import static io.counterfact.query.EstimationFixtures.failed;
import static io.counterfact.query.EstimationFixtures.progress;
import static io.counterfact.query.EstimationFixtures.result;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events on counterfact.estimation-events, through the real broker, into the estimation views and out of the API. */
@QuarkusTest
class EstimationEventsConsumerTest {

    @TestHTTPResource("/api/views/events")
    URI events;

    @Inject
    DataSource dataSource;

    static ValidatableResponse estimation(String id) {
        return given().header("Authorization", TestTokens.viewer())
                .when().get("/api/estimations/{id}", id).then();
    }

    static void send(ObjectNode event) {
        TestKafka.sendEstimationEvent(event.get("subject").asText(), Fixtures.text(event));
    }

    static String datasetWithVersion() {
        String datasetId = Fixtures.datasetId();
        TestKafka.send(datasetId, Fixtures.text(Fixtures.registered(datasetId)));
        TestKafka.send(datasetId, Fixtures.text(Fixtures.versionCommitted(datasetId, 1, 100)));
        return datasetId;
    }

    /** As the view shows it: PostgreSQL keeps microseconds. */
    static String micros(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS).toString();
    }

    @Test
    void anEstimationMovesFromQueuedThroughRunningToSucceededAndIntoTheOverview() {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(10);
        send(accepted(id, datasetId, "aipw", t0));
        eventually(() -> estimation(id).statusCode(200)
                .body("id", equalTo(id)).body("status", equalTo("QUEUED"))
                .body("request.method", equalTo("aipw")).body("request.covariates", contains("x1"))
                .body("result", nullValue()).body("error", nullValue())
                .body("datasetId", equalTo(datasetId)).body("version", equalTo(1)).body("method", equalTo("aipw"))
                .body("progress", nullValue()).body("acceptedAt", equalTo(micros(t0))));

        send(progress(id, 1, 0.0, "start", t0.plusSeconds(1)));
        send(progress(id, 1, 0.6, "bootstrap 60/100", t0.plusSeconds(2)));
        send(progress(id, 1, 0.3, "bootstrap 30/100", t0.plusSeconds(3))); // late: behind what the view shows
        eventually(() -> estimation(id).statusCode(200).body("status", equalTo("RUNNING"))
                .body("progress.attempt", equalTo(1)).body("progress.stage", equalTo("bootstrap 60/100"))
                .body("startedAt", equalTo(micros(t0.plusSeconds(1)))));
        estimation(id).body("progress.fraction", equalTo(0.6f));

        ObjectNode result = result("aipw", 1619.05);
        send(completed(id, datasetId, result, 1, t0.plusSeconds(1), t0.plusSeconds(4)));
        eventually(() -> estimation(id).statusCode(200).body("status", equalTo("SUCCEEDED"))
                .body("result.estimate", equalTo(1619.05f)).body("result.diagnostics.effectiveSampleSize", equalTo(88.5f))
                .body("progress.fraction", equalTo(1.0f)).body("finishedAt", equalTo(micros(t0.plusSeconds(4)))));
        JsonNode shown = tree(estimation(id).extract().asString()).get("result");
        assertEquals(result, shown, "the view holds the result exactly as the event carried it");

        overview(datasetId).statusCode(200).body("latestEstimates", hasSize(1))
                .body("latestEstimates[0].method", equalTo("aipw"))
                .body("latestEstimates[0].estimationId", equalTo(id))
                .body("latestEstimates[0].result.ciUpper", equalTo((float) (1619.05 + 0.98)));
    }

    @Test
    void theEstimatedSecondsOfTheAcceptedEventAreInTheViewAndAnAbsentOneIsNone() {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        String older = estimationId();
        Instant t0 = Instant.now().minusSeconds(20);
        ObjectNode accepted = accepted(id, datasetId, "aipw", t0, 12.5);
        assertEquals(java.util.List.of(), io.counterfact.common.events.EventSchemas.violations(accepted),
                "the optional field is in the contract");
        send(accepted);
        send(accepted(older, datasetId, "ipw", t0.plusSeconds(1))); // published before estimates existed
        eventually(() -> estimation(id).statusCode(200).body("estimatedSeconds", equalTo(12.5f)));
        eventually(() -> estimation(older).statusCode(200).body("status", equalTo("QUEUED"))
                .body("estimatedSeconds", nullValue()));
        // the view keeps it through the run, and the dataset's list shows it too
        send(completed(id, datasetId, result("aipw", 1.0), 1, t0.plusSeconds(1), t0.plusSeconds(2)));
        eventually(() -> estimation(id).statusCode(200).body("status", equalTo("SUCCEEDED"))
                .body("estimatedSeconds", equalTo(12.5f)));
        io.restassured.RestAssured.given().header("Authorization", io.counterfact.infra.TestTokens.viewer())
                .queryParam("datasetId", datasetId).when().get("/api/views/estimations").then().statusCode(200)
                .body("find { it.id == '" + id + "' }.estimatedSeconds", equalTo(12.5f));
    }

    @Test
    void eventsOutOfOrderNeverMoveAViewBackAndTheFirstVerdictStays() {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(completed(id, datasetId, result("ipw", 2.5), 1, t0.plusSeconds(1), t0.plusSeconds(2)));
        send(accepted(id, datasetId, "ipw", t0));          // arrives after the verdict: fills in the request only
        send(progress(id, 1, 0.5, "weights", t0.plusSeconds(1)));
        ObjectNode secondVerdict = failed(id, datasetId, "a second verdict", null, false, t0.plusSeconds(3));
        send(secondVerdict);
        eventually(() -> assertTrue(inInbox(secondVerdict), "the second verdict was consumed"));
        estimation(id).statusCode(200).body("request.method", equalTo("ipw"))
                .body("acceptedAt", equalTo(micros(t0)));
        estimation(id).statusCode(200).body("status", equalTo("SUCCEEDED")).body("result.estimate", equalTo(2.5f))
                .body("error", nullValue()).body("progress.fraction", equalTo(1.0f));
    }

    @Test
    void aWorkerTakingTheCommandOverStartsANewAttempt() {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(id, datasetId, "matching", t0));
        send(progress(id, 1, 0.8, "matching", t0.plusSeconds(1)));
        send(progress(id, 2, 0.1, "matching", t0.plusSeconds(30)));
        eventually(() -> estimation(id).statusCode(200).body("progress.attempt", equalTo(2))
                .body("startedAt", equalTo(micros(t0.plusSeconds(30)))));
        estimation(id).body("progress.fraction", equalTo(0.1f));
    }

    @Test
    void aFailureShowsItsReasonAndFieldAndTheListFiltersByStatus() {
        String datasetId = datasetWithVersion();
        String ok = estimationId();
        String bad = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(ok, datasetId, "ipw", t0));
        send(completed(ok, datasetId, result("ipw", 1.0), 1, t0, t0.plusSeconds(1)));
        send(accepted(bad, datasetId, "ipw", t0.plusSeconds(5)));
        send(failed(bad, datasetId, "column 'x1' is constant", "covariates", false, t0.plusSeconds(6)));
        eventually(() -> estimation(bad).statusCode(200).body("status", equalTo("FAILED"))
                .body("error", equalTo("column 'x1' is constant")).body("errorField", equalTo("covariates"))
                .body("poison", equalTo(false)).body("result", nullValue()));
        eventually(() -> list(datasetId, null).statusCode(200).body("id", contains(bad, ok)));
        list(datasetId, "SUCCEEDED").body("id", contains(ok));
        list(datasetId, "FAILED").body("id", contains(bad));
        list(datasetId, "DONE").statusCode(400).body("detail", containsString("'status'"));
        given().header("Authorization", TestTokens.viewer()).when().get("/api/views/estimations").then()
                .statusCode(400).body("detail", containsString("'datasetId'"));
    }

    @Test
    void aCancellationEndsTheViewCancelledStreamsItAndNothingLaterMovesIt() throws Exception {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(id, datasetId, "aipw", t0));
        send(progress(id, 1, 0.4, "bootstrap", t0.plusSeconds(2)));
        eventually(() -> estimation(id).statusCode(200).body("status", equalTo("RUNNING")));

        // a live stream of the estimation sees the cancellation (the handler announces its change)
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(events + "?estimationId=" + id))
                .header("Authorization", TestTokens.viewer()).header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> response = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = response.thenAcceptAsync(r -> r.body()
                .filter(line -> line.startsWith("data:")).map(line -> tree(line.substring(5).trim()))
                .takeWhile(change -> {
                    received.add(change);
                    return !"CANCELLED".equals(change.path("status").asText());
                })
                .forEach(change -> { }));
        eventually(() -> assertTrue(received.stream().anyMatch(c -> "RUNNING".equals(c.path("status").asText())),
                "the stream starts with the current state: " + received));

        send(cancelled(id, datasetId, "RUNNING", 1, t0.plusSeconds(3)));
        reading.get(60, java.util.concurrent.TimeUnit.SECONDS);
        response.get().body().close();
        assertEquals("CANCELLED", received.get(received.size() - 1).path("status").asText(), received.toString());
        estimation(id).statusCode(200).body("status", equalTo("CANCELLED"))
                .body("finishedAt", equalTo(micros(t0.plusSeconds(3)))).body("result", nullValue())
                .body("progress.attempt", equalTo(1)).body("progress.fraction", equalTo(0.4f));

        // the stopped run's late progress, and a result that lost the race, leave it CANCELLED
        ObjectNode late = progress(id, 1, 0.5, "bootstrap", t0.plusSeconds(3));
        ObjectNode verdict = completed(id, datasetId, result("aipw", 9.0), 1, t0.plusSeconds(2), t0.plusSeconds(4));
        send(late);
        send(verdict);
        eventually(() -> assertTrue(inInbox(late) && inInbox(verdict), "both consumed"));
        estimation(id).statusCode(200).body("status", equalTo("CANCELLED")).body("result", nullValue());
        list(datasetId, "CANCELLED").statusCode(200).body("id", contains(id));
        overview(datasetId).statusCode(200).body("latestEstimates", hasSize(0));
    }

    @Test
    void anEstimationCancelledWhileQueuedShowsNoAttempt() {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(id, datasetId, "ipw", t0));
        send(cancelled(id, datasetId, "QUEUED", 0, t0.plusSeconds(1)));
        eventually(() -> estimation(id).statusCode(200).body("status", equalTo("CANCELLED"))
                .body("progress", nullValue()).body("request.method", equalTo("ipw"))
                .body("finishedAt", equalTo(micros(t0.plusSeconds(1)))));
    }

    @Test
    void theOverviewKeepsTheEstimateCompletedLastPerMethodWhateverTheOrder() {
        String datasetId = datasetWithVersion();
        String newer = estimationId();
        String older = estimationId();
        String other = estimationId();
        Instant t0 = Instant.now().minusSeconds(600);
        send(completed(newer, datasetId, result("aipw", 2.0), 1, t0, t0.plusSeconds(100)));
        send(completed(older, datasetId, result("aipw", 1.0), 1, t0, t0.plusSeconds(50)));
        send(completed(other, datasetId, result("ipw", 3.0), 1, t0, t0.plusSeconds(10)));
        eventually(() -> overview(datasetId).statusCode(200).body("latestEstimates", hasSize(2)));
        eventually(() -> estimation(older).statusCode(200).body("status", equalTo("SUCCEEDED")));
        overview(datasetId).body("latestEstimates.method", contains("aipw", "ipw"))
                .body("latestEstimates.estimationId", containsInAnyOrder(newer, other))
                .body("latestEstimates[0].result.estimate", equalTo(2.0f));
    }

    @Test
    void anUnknownEstimationIsA404Problem() {
        estimation("no-such-estimation").statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no-such-estimation"));
        given().when().get("/api/estimations/{id}", "x").then().statusCode(401);
    }

    @Test
    void theStreamPushesAnEstimationsChangesInOrderStartingFromItsCurrentState() throws Exception {
        String datasetId = datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(id, datasetId, "aipw", t0));
        eventually(() -> estimation(id).statusCode(200));

        List<JsonNode> received = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(events + "?estimationId=" + id))
                .header("Authorization", TestTokens.viewer()).header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> response = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        CompletableFuture<Void> reading = response.thenAcceptAsync(r -> {
            assertEquals(200, r.statusCode());
            r.body().filter(line -> line.startsWith("data:")).map(line -> line.substring(5).trim())
                    .map(EstimationEventsConsumerTest::tree)
                    .takeWhile(change -> {
                        received.add(change);
                        return !"SUCCEEDED".equals(change.path("status").asText());
                    })
                    .forEach(change -> { });
        });
        eventually(() -> assertTrue(received.stream().anyMatch(c -> "QUEUED".equals(c.path("status").asText())),
                "the stream starts with the estimation's current state: " + received));
        send(progress(id, 1, 0.0, "start", t0.plusSeconds(1)));
        send(progress(id, 1, 0.5, "half", t0.plusSeconds(2)));
        send(completed(id, datasetId, result("aipw", 1.0), 1, t0.plusSeconds(1), t0.plusSeconds(3)));
        reading.get(60, java.util.concurrent.TimeUnit.SECONDS);
        response.get().body().close();

        List<String> statuses = received.stream().filter(c -> "estimation".equals(c.path("kind").asText()))
                .map(c -> c.path("status").asText()).toList();
        assertEquals("QUEUED", statuses.get(0), "current state first: " + received);
        assertEquals("SUCCEEDED", statuses.get(statuses.size() - 1), "verdict last: " + received);
        assertTrue(statuses.contains("RUNNING"), "progress streamed: " + received);
        assertTrue(received.stream().allMatch(c -> id.equals(c.path("id").asText())
                || "heartbeat".equals(c.path("kind").asText())), "only this estimation: " + received);
    }

    private boolean inInbox(ObjectNode event) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM inbox WHERE event_id = ?::uuid")) {
            s.setString(1, event.get("id").asText());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ValidatableResponse list(String datasetId, String status) {
        var spec = given().header("Authorization", TestTokens.viewer()).queryParam("datasetId", datasetId);
        if (status != null) {
            spec = spec.queryParam("status", status);
        }
        return spec.when().get("/api/views/estimations").then();
    }

    private static JsonNode tree(String text) {
        try {
            return Fixtures.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}
