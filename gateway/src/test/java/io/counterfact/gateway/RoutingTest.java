package io.counterfact.gateway;

import io.counterfact.gateway.support.FakeService;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class RoutingTest extends GatewayTestBase {

    private FakeService byName(String name) {
        return services.all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @CsvSource({
            "/api/datasets, ingestion-service",
            "/api/datasets/ds-1/rows?format=csv&x=a%2Fb, ingestion-service",
            "/api/views/datasets?limit=2&after=k7, query-service",
            "/api/views/models/m-9, query-service",
            "/api/estimations/e-42?verbose=true, query-service",
            "/api/dags/analyze, estimation-service"})
    void eachPrefixReachesItsServiceWithPathAndQueryIntact(String uri, String service) {
        analyst().get(uri).then().statusCode(200)
                .body("service", is(service))
                .body("uri", is(uri));
        FakeService target = byName(service);
        assertEquals(uri, target.single().uri());
        assertEquals("GET", target.single().method());
        services.all().stream().filter(s -> s != target)
                .forEach(other -> assertTrue(other.received().isEmpty(), other.name() + " got " + other.received()));
    }

    @Test
    void aWriteCarriesItsBodyAndTheServiceAnswerComesBackAsItWas() {
        services.ingestion.answer((request, received) -> request.response().setStatusCode(201)
                .putHeader("Content-Type", "application/json")
                .putHeader("Location", "http://127.0.0.1:" + services.ingestion.port() + "/api/datasets/ds-7")
                .putHeader("X-Custom", "kept")
                .end("{\"id\":\"ds-7\",\"received\":" + received.bytes() + "}"));
        String body = "{\"name\":\"promo\",\"columns\":[{\"name\":\"y\",\"type\":\"numeric\"}]}";
        analyst().contentType("application/json").body(body).post("/api/datasets")
                .then().statusCode(201)
                .header("Location", "/api/datasets/ds-7") // the service's own URL made a gateway path
                .header("X-Custom", "kept")
                .body("id", is("ds-7"))
                .body("received", is(body.length()));
        FakeService.Received received = services.ingestion.single();
        assertEquals("POST", received.method());
        assertEquals(body, received.bodyStart());
        assertEquals("application/json", received.headers().get("Content-Type"));
        assertTrue(received.headers().get("Host").startsWith("localhost:"), "the client's Host is kept: "
                + received.headers().get("Host"));
        assertEquals("http", received.headers().get("X-Forwarded-Proto"));
        assertTrue(received.headers().contains("X-Forwarded-For"));
    }

    /** DELETE /api/estimations/{id} (issue 24) is a command: the command side, never the views, and no fallback. */
    @Test
    void anAnalystsCancellationGoesToTheCommandSideAndItsAnswersComeBackAsTheyWere() {
        services.estimation.answer((request, received) -> request.response().setStatusCode(202)
                .putHeader("Content-Type", "application/json")
                .end("{\"id\":\"est_1\",\"status\":\"CANCELLED\"}"));
        analyst().delete("/api/estimations/est_1").then().statusCode(202).body("status", is("CANCELLED"));
        assertEquals("DELETE", services.estimation.single().method());
        assertEquals("/api/estimations/est_1", services.estimation.single().uri());
        assertTrue(services.query.received().isEmpty(), "the views were asked: " + services.query.received());

        String conflict = "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,"
                + "\"detail\":\"estimation 'est_2' is SUCCEEDED already\"}";
        services.estimation.answer((request, received) -> request.response().setStatusCode(409)
                .putHeader("Content-Type", "application/problem+json").end(conflict));
        analyst().delete("/api/estimations/est_2").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("SUCCEEDED"));
        services.estimation.answer((request, received) -> request.response().setStatusCode(404)
                .putHeader("Content-Type", "application/problem+json")
                .end("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no estimation\"}"));
        analyst().delete("/api/estimations/est_3").then().statusCode(404);
        assertTrue(services.query.received().isEmpty(), "a 404 of a DELETE is not asked of the views");
    }

    @Test
    void aServiceProblemPassesThroughUnchanged() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"nothing appended\"}";
        services.ingestion.answer((request, received) -> request.response().setStatusCode(409)
                .putHeader("Content-Type", "application/problem+json").end(problem));
        Response response = analyst().post("/api/datasets/ds-1/versions");
        assertEquals(409, response.statusCode());
        assertEquals(problem, response.asString());
        assertEquals("application/problem+json", response.contentType());
    }

    @Test
    void theTraceContinuesToTheServiceAsAChildOfTheGatewaysSpan() {
        analyst().header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .get("/api/views/datasets").then().statusCode(200);
        String sent = services.query.single().headers().get("traceparent");
        assertTrue(sent.matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-[0-9a-f]{2}"), "same trace: " + sent);
        assertFalse(sent.contains("00f067aa0ba902b7"), "the gateway's own span is the parent: " + sent);
    }

    @Test
    void aRequestWithoutTraceContextStartsATrace() {
        analyst().header("traceparent", "not-a-traceparent").get("/api/views/datasets").then().statusCode(200);
        String sent = services.query.single().headers().get("traceparent");
        assertTrue(sent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), sent);
        assertEquals(1, services.query.single().headers().getAll("traceparent").size());
    }

    @Test
    void anEstimationCommandGoesToTheCommandSide() {
        analyst().contentType("application/json").body("{}").post("/api/estimations").then().statusCode(200)
                .body("service", is("estimation-service"));
        assertTrue(services.query.received().isEmpty());
    }

    @Test
    void anEstimationTheViewDoesNotHoldYetIsAnsweredByTheCommandSide() {
        services.query.answer((request, received) -> request.response().setStatusCode(404)
                .putHeader("Content-Type", "application/problem+json")
                .end("{\"status\":404,\"detail\":\"no estimation 'e-7'\"}"));
        services.estimation.answer((request, received) -> request.response().setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .end("{\"id\":\"e-7\",\"status\":\"QUEUED\"}"));
        analyst().get("/api/estimations/e-7?x=1").then().statusCode(200)
                .header("X-Counterfact-Source", "estimation-service")
                .body("id", is("e-7")).body("status", is("QUEUED"));
        assertEquals("/api/estimations/e-7?x=1", services.query.single().uri());
        FakeService.Received asked = services.estimation.single();
        assertEquals("GET", asked.method());
        assertEquals("/api/estimations/e-7?x=1", asked.uri());
        assertTrue(asked.headers().get("Authorization").startsWith("Bearer cf1."), "the internal token travels");
        assertTrue(asked.headers().contains("X-Request-Id"));
    }

    @Test
    void anEstimationUnknownToBothSidesIsTheCommandSides404() {
        services.query.answer((request, received) -> request.response().setStatusCode(404).end());
        services.estimation.answer((request, received) -> request.response().setStatusCode(404)
                .putHeader("Content-Type", "application/problem+json")
                .end("{\"status\":404,\"detail\":\"no estimation 'nope'\"}"));
        analyst().get("/api/estimations/nope").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("nope"));
        assertEquals(1, services.estimation.received().size());
    }

    @Test
    void aViewsOwn404IsNotAskedElsewhere() {
        services.query.answer((request, received) -> request.response().setStatusCode(404).end());
        analyst().get("/api/views/datasets/nope").then().statusCode(404);
        assertTrue(services.estimation.received().isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"/api/unknown", "/api/datasetsx", "/api", "/api/"})
    void anUnknownApiPathIsA404Problem(String path) {
        analyst().get(path).then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", is(404))
                .body("title", is("Not Found"))
                .body("detail", containsString("/api/datasets"));
        services.all().forEach(s -> assertTrue(s.received().isEmpty()));
    }

    @Test
    void dotSegmentsAreResolvedBeforeRoutingAndTheServiceGetsTheResolvedPath() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gatewayUrl() + "/api/views/../datasets/ds-3"))
                .header("Authorization", "Bearer " + ANALYST_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("/api/datasets/ds-3", services.ingestion.single().uri());
        assertTrue(services.query.received().isEmpty());
    }

    @Test
    void pathsOutsideApiAreNotProxied() {
        RestAssured.given().header("Authorization", "Bearer " + ANALYST_KEY).get("/datasets").then().statusCode(404);
        services.all().forEach(s -> assertTrue(s.received().isEmpty()));
    }
}
