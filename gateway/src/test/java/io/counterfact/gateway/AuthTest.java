package io.counterfact.gateway;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.auth.Role;
import io.counterfact.gateway.support.FakeService;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.enterprise.inject.Any;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class AuthTest extends GatewayTestBase {

    @Test
    void noKeyIsA401ProblemWithABearerChallenge() {
        RestAssured.given().get("/api/views/datasets").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"counterfact\"")
                .body("status", is(401))
                .body("title", is("Unauthorized"))
                .body("detail", containsString("Authorization: Bearer"))
                .body("requestId", notNullValue());
        services.all().forEach(s -> assertTrue(s.received().isEmpty()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer wrong-key", "Bearer test-analyst-key-but-longer", "Bearer test-analyst-ke",
            "Basic dGVzdDp0ZXN0", "test-analyst-key", "Bearer "})
    void aWrongKeyIsA401(String authorization) {
        RestAssured.given().header("Authorization", authorization).get("/api/views/datasets").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer realm=\"counterfact\""))
                .body("status", is(401));
        services.all().forEach(s -> assertTrue(s.received().isEmpty()));
    }

    @Test
    void anInternalTokenIsNoKeyAtTheGateway() {
        String internal = InternalToken.issue(SECRET, "analyst", Role.ANALYST, "r1", Duration.ofSeconds(60));
        as(internal).get("/api/views/datasets").then().statusCode(401);
        assertTrue(services.query.received().isEmpty());
        // the services' filter from common is not active here (no Quarkus REST, not a bean)
        // (its class cannot even be loaded: jakarta.ws.rs is not on the gateway's class path)
        assertTrue(Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE).stream()
                .noneMatch(bean -> bean.getBeanClass().getName().equals("io.counterfact.common.auth.InternalAuthFilter")));
    }

    @Test
    void aViewerReads() {
        viewer().get("/api/views/datasets").then().statusCode(200);
        InternalToken.Claims claims = verify(services.query.single());
        assertEquals("viewer", claims.subject());
        assertEquals(Role.VIEWER, claims.role());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void aViewerWriteIsA403Problem(String method) {
        viewer().contentType("application/json").body("{}").request(method, "/api/datasets/ds-1").then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("status", is(403))
                .body("detail", is("role viewer may only read; " + method + " needs role analyst"));
        assertTrue(services.ingestion.received().isEmpty());
    }

    /** DAG analysis computes an answer and stores nothing: it is open to viewers (ARCHITECTURE.md, Public API). */
    @Test
    void aViewerMayAnalyseADagAndTheServiceSeesTheViewerRole() {
        viewer().contentType("application/json").body("{\"dag\":\"dag { A -> B }\"}").post("/api/dags/analyze")
                .then().statusCode(200).body("service", is("estimation-service")).body("uri", is("/api/dags/analyze"));
        InternalToken.Claims claims = verify(services.estimation.single());
        assertEquals(Role.VIEWER, claims.role());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST /api/datasets", "POST /api/datasets/ds-1/rows", "POST /api/datasets/ds-1/versions",
            "POST /api/estimations", "DELETE /api/estimations/e-1", "PUT /api/dags/analyze", "POST /api/dags/analyze/x",
            "POST /api/dags"})
    void everyOtherWriteStaysForbiddenToAViewer(String call) {
        String method = call.substring(0, call.indexOf(' '));
        viewer().contentType("application/json").body("{}").request(method, call.substring(method.length() + 1))
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", is("role viewer may only read; " + method + " needs role analyst"));
        services.all().forEach(s -> assertTrue(s.received().isEmpty(), s.name() + " was called"));
    }

    @Test
    void anAnalystWritePassesWithAValidInternalTokenAndWithoutTheClientKey() {
        Response response = analyst().contentType("application/json").body("{\"dag\":\"dag { A -> B }\"}")
                .post("/api/dags/analyze");
        assertEquals(200, response.statusCode());
        FakeService.Received received = services.estimation.single();
        InternalToken.Claims claims = verify(received);
        assertEquals("analyst", claims.subject());
        assertEquals(Role.ANALYST, claims.role());
        assertEquals(response.header("X-Request-Id"), claims.requestId());
        assertTrue(claims.expires().isBefore(Instant.now().plusSeconds(61)), "short-lived: " + claims.expires());
        for (Map.Entry<String, String> header : received.headers()) {
            assertFalse(header.getValue().contains(ANALYST_KEY), "the client's key leaked in " + header.getKey());
        }
        assertEquals(1, received.headers().getAll("Authorization").size());
    }

    @Test
    void anExtraConfiguredKeyAuthenticatesWithItsOwnNameAndRole() {
        as(LIMITED_KEY).get("/api/estimations/e-1").then().statusCode(200);
        InternalToken.Claims claims = verify(services.query.single());
        assertEquals("limited", claims.subject());
        assertEquals(Role.VIEWER, claims.role());
        as(LIMITED_KEY).post("/api/estimations").then().statusCode(403);
    }

    private static InternalToken.Claims verify(FakeService.Received received) {
        String authorization = received.headers().get("Authorization");
        assertTrue(authorization != null && authorization.startsWith("Bearer "), "no internal token: " + authorization);
        try {
            return InternalToken.verify(SECRET, authorization.substring(7), Instant.now());
        } catch (InternalToken.InvalidTokenException e) {
            throw new AssertionError("the service got an internal token that does not verify: " + e.getMessage());
        }
    }
}
