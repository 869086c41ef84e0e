package io.counterfact.gateway;

import io.counterfact.gateway.support.FakeService;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class OperationsTest extends GatewayTestBase {

    @Test
    void livenessAndReadinessDoNotDependOnTheServices() {
        services.all().forEach(FakeService::stop);
        RestAssured.get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
        RestAssured.get("/q/health/started").then().statusCode(200);
        // while the API itself answers with problems naming the service, never a hang
        analyst().get("/api/views/datasets").then().statusCode(503).body("upstream", is("query-service"));
    }

    @Test
    void prometheusCountsAndTimesRequestsPerRoute() {
        double before = count("views", "query-service", "GET", "200");
        analyst().get("/api/views/datasets").then().statusCode(200);
        analyst().get("/api/views/datasets/ds-1").then().statusCode(200);
        RestAssured.get("/api/datasets/ds-1").then().statusCode(401);
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(before + 2, count("views", "query-service", "GET", "200"), 0.001);
        assertTrue(metrics.contains("counterfact_gateway_requests_seconds_sum{method=\"GET\",route=\"views\",service=\"query-service\",status=\"200\"}"), metrics);
        assertTrue(metrics.contains("counterfact_gateway_rejections_total{reason=\"unauthenticated\",route=\"datasets\"}"));
        assertTrue(metrics.contains("counterfact_gateway_circuit_state{service=\"ingestion-service\"} 0.0"));
        assertTrue(!metrics.contains("uri=\"/api/views/datasets/ds-1\""), "no per-path series");
    }

    private static double count(String route, String service, String method, String status) {
        String metrics = RestAssured.get("/q/metrics").asString();
        Matcher m = Pattern.compile("counterfact_gateway_requests_seconds_count\\{method=\"" + method + "\",route=\""
                + route + "\",service=\"" + service + "\",status=\"" + status + "\"} ([0-9.E]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void corsIsOffByDefault() {
        Response preflight = RestAssured.given()
                .header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "Authorization")
                .options("/api/datasets");
        assertEquals(null, preflight.header("Access-Control-Allow-Origin"));
        analyst().header("Origin", "https://elsewhere.example").get("/api/views/datasets").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void theOpenApiDocumentDescribesThePublicSurface() {
        RestAssured.get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.apiKey.scheme", is("bearer"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/datasets/{id}/rows"))
                .body("components.responses.TooManyRequests.headers", org.hamcrest.Matchers.hasKey("Retry-After"))
                .body("paths.'/api/estimations/{id}'", org.hamcrest.Matchers.hasKey("delete"))
                .body("components.schemas.Estimation.properties.status.enum", org.hamcrest.Matchers.hasItem("CANCELLED"));
        RestAssured.get("/q/openapi").then().statusCode(200).body(containsString("application/problem+json"));
    }
}
