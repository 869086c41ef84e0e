package io.counterfact.gateway;

import io.counterfact.gateway.resilience.CircuitBreaker;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test profile: connect timeout 1 s, response timeout 1 s, circuit opens after 3 failures for 2 s. */
@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class ResilienceTest extends GatewayTestBase {

    @Test
    void aServiceThatIsDownIsA503ProblemWithRetryAfterNamingItAndLoggedWithTheRequestId() {
        List<ExtLogRecord> logged = new CopyOnWriteArrayList<>();
        ExtHandler capture = new ExtHandler() {
            @Override
            protected void doPublish(ExtLogRecord record) {
                record.copyMdc(); // on the logging thread: the MDC lives in the request's Vert.x context
                logged.add(record);
            }
        };
        Logger logger = Logger.getLogger("io.counterfact.gateway.proxy");
        logger.addHandler(capture);
        try {
            services.estimation.stop();
            Response response = analyst().header("X-Request-Id", "down-1").get("/api/dags/analyze");
            response.then().statusCode(503)
                    .header("Retry-After", "1")
                    .contentType("application/problem+json")
                    .body("status", is(503))
                    .body("title", is("Service Unavailable"))
                    .body("upstream", is("estimation-service"))
                    .body("detail", is("estimation-service is unreachable: connection refused"))
                    .body("requestId", is("down-1"));
            assertEquals("down-1", response.header("X-Request-Id"));
            assertTrue(logged.stream().anyMatch(r -> r.getFormattedMessage().contains("estimation-service")
                            && "down-1".equals(r.getMdc("requestId"))),
                    "a warning with the request id in its MDC: " + logged);
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aSlowServiceIsA504ProblemAfterTheResponseTimeout() {
        // the service would answer after 10 s: a 504 well before that is the gateway's timeout, whatever the load
        services.query.answer(services.query.slow(Duration.ofSeconds(10)));
        long start = System.nanoTime();
        analyst().get("/api/views/datasets").then().statusCode(504)
                .contentType("application/problem+json")
                .body("upstream", is("query-service"))
                .body("detail", is("query-service did not answer within 1000 ms"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 900 && millis < 8000, "answered after " + millis + " ms");
        // the next call, answered in time, passes (the aborted one left nothing behind on the connection pool)
        services.query.answer(services.query.echo());
        analyst().get("/api/views/datasets").then().statusCode(200);
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAnswers503WithRetryAfterThenRecovers() throws InterruptedException {
        services.ingestion.stop();
        for (int i = 0; i < 3; i++) {
            analyst().get("/api/datasets/ds-1").then().statusCode(503).header("Retry-After", "1");
        }
        services.ingestion.start();
        Response open = analyst().get("/api/datasets/ds-1");
        open.then().statusCode(503)
                .contentType("application/problem+json")
                .body("upstream", is("ingestion-service"))
                .body("detail", containsString("circuit is open after 3 consecutive failures"));
        long retryAfter = Long.parseLong(open.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        assertTrue(services.ingestion.received().isEmpty(), "an open circuit does not call the service");
        // other services are unaffected
        analyst().get("/api/views/datasets").then().statusCode(200);
        // readiness does not depend on the services; the upstreams group reports the open circuit
        RestAssured.get("/q/health/ready").then().statusCode(200);
        RestAssured.get("/q/health/group/upstreams").then().statusCode(503)
                .body("checks[0].data.ingestion-service", is("open"));

        Thread.sleep(1000L * retryAfter + 100);
        analyst().get("/api/datasets/ds-1").then().statusCode(200); // the trial call
        analyst().get("/api/datasets/ds-1").then().statusCode(200); // closed again
        assertEquals(2, services.ingestion.received().size());
        RestAssured.get("/q/health/group/upstreams").then().statusCode(200);
    }

    @Test
    void aServiceAnswering503CountsAsAFailure() {
        services.query.answer((request, received) -> request.response().setStatusCode(503).end());
        for (int i = 0; i < 3; i++) {
            analyst().get("/api/views/datasets").then().statusCode(503);
        }
        analyst().get("/api/views/datasets").then().statusCode(503)
                .contentType("application/problem+json")
                .body("upstream", is("query-service"));
        assertEquals(3, services.query.received().size());
    }

    @Test
    void anEstimationReadWhileQueryServiceIsDownIsAnsweredByTheCommandSideAlsoOnceItsCircuitIsOpen() {
        services.query.stop();
        services.estimation.answer((request, received) -> request.response().setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .end("{\"id\":\"e-9\",\"status\":\"RUNNING\"}"));
        for (int i = 0; i < 5; i++) { // 3 refused connections open query-service's circuit; then it is skipped
            analyst().get("/api/estimations/e-9").then().statusCode(200)
                    .header("X-Counterfact-Source", "estimation-service")
                    .body("status", is("RUNNING"));
        }
        assertEquals(5, services.estimation.received().size());
        RestAssured.get("/q/health/group/upstreams").then().statusCode(503)
                .body("checks[0].data.query-service", is("open"));
        // the views themselves have no fallback: 503 with Retry-After, never a 502
        analyst().get("/api/views/datasets").then().statusCode(503).header("Retry-After", notNullValue());
    }

    /**
     * A service killed while it holds requests: the connection closes (or is reset) under them. Found by
     * FaultCampaignIT (c): one such read answered 502 instead of falling back (Vert.x reports a request written on
     * a connection the peer had closed as a StreamResetException, which was not seen as "never answered").
     */
    @Test
    void aServiceThatDropsTheConnectionUnderARequestIsA503AndAnEstimationReadFallsBack() {
        services.estimation.answer((request, received) -> request.response().setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .end("{\"id\":\"e-7\",\"status\":\"QUEUED\"}"));
        for (boolean reset : new boolean[] {false, true}) {
            services.query.answer((request, received) -> {
                if (reset) {
                    request.response().reset();
                } else {
                    request.connection().close();
                }
            });
            upstreams.breakers().values().forEach(CircuitBreaker::reset);
            analyst().get("/api/estimations/e-7").then().statusCode(200)
                    .header("X-Counterfact-Source", "estimation-service").body("status", is("QUEUED"));
            upstreams.breakers().values().forEach(CircuitBreaker::reset);
            analyst().get("/api/views/datasets").then().statusCode(503).header("Retry-After", notNullValue());
        }
    }

    @Test
    void aFailureOfOneServiceLeavesTheOthersCircuitsClosed() {
        services.estimation.stop();
        for (int i = 0; i < 4; i++) {
            analyst().post("/api/dags/analyze").then().statusCode(503)
                    .body("detail", containsString(i < 3 ? "unreachable" : "circuit is open"));
        }
        analyst().get("/api/views/datasets").then().statusCode(200);
        analyst().get("/api/datasets/x").then().statusCode(200);
    }
}
