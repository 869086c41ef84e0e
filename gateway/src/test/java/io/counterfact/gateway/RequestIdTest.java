package io.counterfact.gateway;

import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class RequestIdTest extends GatewayTestBase {

    @Test
    void anIdIsGeneratedSentUpstreamAndReturned() {
        Response response = analyst().get("/api/views/datasets");
        String id = response.header("X-Request-Id");
        assertDoesNotThrow(() -> UUID.fromString(id));
        assertEquals(id, services.query.single().headers().get("X-Request-Id"));
        Response again = analyst().get("/api/views/datasets");
        assertNotEquals(id, again.header("X-Request-Id"), "each request gets its own id");
    }

    @Test
    void aClientIdIsPropagatedAndReturned() {
        String id = "client-7f3a:retry.2";
        Response response = analyst().header("X-Request-Id", id).get("/api/dags/analyze");
        assertEquals(id, response.header("X-Request-Id"));
        assertEquals(id, services.estimation.single().headers().get("X-Request-Id"));
        assertEquals(1, services.estimation.single().headers().getAll("X-Request-Id").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "semi;colon", "quote\"d", "<script>", "é"})
    void anUnsafeClientIdIsReplaced(String unsafe) {
        Response response = analyst().header("X-Request-Id", unsafe).get("/api/views/datasets");
        String id = response.header("X-Request-Id");
        assertDoesNotThrow(() -> UUID.fromString(id));
        assertEquals(id, services.query.single().headers().get("X-Request-Id"));
    }

    @Test
    void anOverlongClientIdIsReplaced() {
        String longId = "a".repeat(129);
        String id = analyst().header("X-Request-Id", longId).get("/api/views/datasets").header("X-Request-Id");
        assertDoesNotThrow(() -> UUID.fromString(id));
        String longest = "b".repeat(128);
        assertEquals(longest, analyst().header("X-Request-Id", longest).get("/api/views/datasets")
                .header("X-Request-Id"));
    }

    @Test
    void errorsCarryTheIdInTheHeaderAndTheProblem() {
        Response response = RestAssured.given().header("X-Request-Id", "err-1").get("/api/views/datasets");
        assertEquals(401, response.statusCode());
        assertEquals("err-1", response.header("X-Request-Id"));
        assertEquals("err-1", response.jsonPath().getString("requestId"));

        Response notFound = analyst().get("/api/nowhere");
        assertEquals(404, notFound.statusCode());
        assertEquals(notFound.header("X-Request-Id"), notFound.jsonPath().getString("requestId"));
    }

    @Test
    void operationalEndpointsCarryAnIdToo() {
        String id = RestAssured.given().header("X-Request-Id", "probe-1").get("/q/health/live").header("X-Request-Id");
        assertEquals("probe-1", id);
    }
}
