package io.counterfact.query;

import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP side of the views: paging, errors as problem+json, the gateway's token, health, OpenAPI, metrics. */
@QuarkusTest
class DatasetViewApiTest {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void theCatalogIsPagedByKeysetWithNextNullOnTheLastPage() {
        // ids sorting after every other dataset of this test run (theirs start with "ds_")
        String prefix = "zz_page_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        List<String> ids = IntStream.rangeClosed(1, 5).mapToObj(i -> prefix + i).toList();
        ids.forEach(id -> TestKafka.send(id, Fixtures.text(Fixtures.registered(id))));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                ids.forEach(id -> given().header("Authorization", TestTokens.viewer())
                        .when().get("/api/views/datasets/{id}", id).then().statusCode(200)));

        JsonPath first = page("2", prefix);
        assertEquals(ids.subList(0, 2), first.getList("items.id"));
        assertEquals(ids.get(1), first.getString("next"));
        JsonPath second = page("2", first.getString("next"));
        assertEquals(ids.subList(2, 4), second.getList("items.id"));
        assertEquals(ids.get(3), second.getString("next"));
        JsonPath last = page("2", second.getString("next"));
        assertEquals(ids.subList(4, 5), last.getList("items.id"));
        assertTrue(last.getMap("").containsKey("next"), "next is present");
        assertEquals(null, last.getString("next"), "next is null on the last page");

        // the whole catalog from the start: strictly increasing ids, each once, ending with next null
        List<String> all = new ArrayList<>();
        String after = null;
        do {
            JsonPath page = page("3", after);
            List<String> items = page.getList("items.id");
            assertTrue(items.size() <= 3);
            all.addAll(items);
            after = page.getString("next");
        } while (after != null);
        assertTrue(all.containsAll(ids));
        assertEquals(all.stream().sorted().distinct().toList(), all);

        given().header("Authorization", TestTokens.viewer()).queryParam("after", ids.get(4))
                .when().get("/api/views/datasets")
                .then().statusCode(200).body("items.size()", equalTo(0)).body("next", nullValue());
    }

    private static JsonPath page(String limit, String after) {
        var request = given().header("Authorization", TestTokens.viewer()).queryParam("limit", limit);
        if (after != null) {
            request.queryParam("after", after);
        }
        return request.when().get("/api/views/datasets").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aBadLimitIsA400ProblemNamingTheParameter() {
        for (String bad : List.of("0", "-1", "501", "abc", "1.5")) {
            given().header("Authorization", TestTokens.viewer()).queryParam("limit", bad)
                    .when().get("/api/views/datasets")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("status", equalTo(400)).body("detail", containsString("'limit'"));
        }
        given().header("Authorization", TestTokens.viewer()).queryParam("limit", "500")
                .when().get("/api/views/datasets").then().statusCode(200);
    }

    @Test
    void anUnknownDatasetIsA404Problem() {
        given().header("Authorization", TestTokens.viewer())
                .when().get("/api/views/datasets/{id}", "ds_does_not_exist")
                .then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("detail", containsString("ds_does_not_exist"));
    }

    @Test
    void aCallWithoutTheGatewaysTokenIsRefused() {
        given().when().get("/api/views/datasets").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer dev-token").when().get("/api/views/datasets/{id}", "x")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestTokens.analyst()).when().get("/api/views/datasets").then().statusCode(200);
    }

    @Test
    void readinessCoversTheDatabaseAndKafka() {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                        .body("checks.name", hasItem(containsString("Database")))
                        .body("checks.name", hasItem(containsString("Kafka")))
                        .body("checks.name", hasItem(containsString("Messaging"))));
    }

    @Test
    void openApiAndMetricsAreServed() {
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/views/datasets"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/views/datasets/{id}"));
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertNotNull(metrics);
        assertTrue(metrics.contains("http_server_requests"), "HTTP metrics");
    }
}
