package io.counterfact.gateway;

import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test profile gives key "limited" 0.2 requests per second (a token every 5 s) with a burst of 3; the others 1000/s. */
@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class RateLimitTest extends GatewayTestBase {

    @Test
    void pastTheBurstA429ProblemWithRetryAfterThenRecovery() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            as(LIMITED_KEY).get("/api/views/datasets").then().statusCode(200);
        }
        Response limited = as(LIMITED_KEY).get("/api/views/datasets");
        limited.then().statusCode(429)
                .contentType("application/problem+json")
                .body("status", is(429))
                .body("detail", containsString("key 'limited' is limited to 0.2 requests per second (burst 3)"));
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 5, "a token every 5 s: Retry-After " + retryAfter);
        assertEquals(3, services.query.received().size(), "a refused request does not reach the service");

        // another key has its own bucket
        analyst().get("/api/views/datasets").then().statusCode(200);

        Thread.sleep(retryAfter * 1000);
        as(LIMITED_KEY).get("/api/views/datasets").then().statusCode(200);
        assertEquals(5, services.query.received().size());
    }

    @Test
    void unauthenticatedRequestsDoNotSpendAKeysTokens() {
        for (int i = 0; i < 5; i++) {
            io.restassured.RestAssured.given().header("Authorization", "Bearer nope").get("/api/views/datasets")
                    .then().statusCode(401);
        }
        for (int i = 0; i < 3; i++) {
            as(LIMITED_KEY).get("/api/views/datasets").then().statusCode(200);
        }
    }
}
