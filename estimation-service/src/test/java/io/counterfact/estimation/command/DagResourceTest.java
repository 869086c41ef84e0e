package io.counterfact.estimation.command;

import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/dags/analyze} on graphs the size of real systems (issue 23): before the change the
 * 10,000-node chain held a request thread for minutes (504 from the gateway) and the 40,000-node graph
 * answered 500 (StackOverflowError). Now both answer 200 within the time budget, listings flagged
 * when cut short, and the service answers the next request.
 */
@QuarkusTest
class DagResourceTest {

    private static String chain(int n) {
        StringBuilder sb = new StringBuilder("dag {\n");
        for (int i = 1; i < n; i++) {
            sb.append('v').append(i - 1).append(" -> v").append(i).append('\n');
        }
        return sb.append('}').toString();
    }

    /** The random sparse DAG: node i gets 0-2 parents among the 50 nodes before it. */
    private static String sparse(int n, long seed) {
        Random rng = new Random(seed);
        StringBuilder sb = new StringBuilder("dag {\n");
        for (int i = 0; i < n; i++) {
            sb.append('v').append(i).append('\n');
            int k = Math.min(i, rng.nextInt(3));
            Set<Integer> chosen = new HashSet<>();
            while (chosen.size() < k) {
                chosen.add(i - 1 - rng.nextInt(Math.min(50, i)));
            }
            for (int p : chosen) {
                sb.append('v').append(p).append(" -> v").append(i).append('\n');
            }
        }
        return sb.append('}').toString();
    }

    private static Response analyze(String dag, String treatment, String outcome) {
        return given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                .body(Map.of("dag", dag, "treatment", treatment, "outcome", outcome))
                .when().post("/api/dags/analyze");
    }

    @Test
    void aChainOfTenThousandNodesAnswers200() {
        Response r = analyze(chain(10_000), "v5000", "v5030");
        r.then().statusCode(200).body("nodes", equalTo(10_000))
                .body("adjustmentSets.minimal", equalTo(List.of(List.of())))
                .body("adjustmentSets.allTruncated", equalTo(true))
                .body("impliedIndependencesTruncated", equalTo(true));
        assertTrue(List.of("count", "time").contains(r.path("adjustmentSets.truncatedBy")), r.asString().substring(0, 200));
    }

    @Test
    void theOpenApiDescriptionNamesEveryListingsTruncationKeys() {
        String doc = given().when().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        for (String key : List.of("allTruncated", "minimalTruncated", "minimalTruncatedBy", "frontDoorTruncated",
                "frontDoorTruncatedBy", "instrumentsTruncated", "instrumentsTruncatedBy", "impliedIndependencesTruncated",
                "truncatedBy", "counterfact.dags.time-budget")) {
            assertTrue(doc.contains(key), key);
        }
    }

    @Test
    void aChainOfAHundredThousandNodesIs413AndTheServiceCarriesOn() {
        String dag = chain(100_000);
        assertTrue(dag.length() > 1_048_576, "past the 1 MiB JSON limit: " + dag.length() + " characters");
        Response r = analyze(dag, "v50000", "v50030");
        r.then().statusCode(413).contentType("application/problem+json");
        assertTrue(r.path("detail").toString().contains("1 MiB"), r.asString());
        analyze("dag { Z -> X; Z -> Y; X -> Y }", "X", "Y").then().statusCode(200)
                .body("adjustmentSets.minimal[0][0]", equalTo("Z"));
    }

    @Test
    void aRandomGraphOfFortyThousandNodesAnswers200() {
        String dag = sparse(40_000, 40);
        assertTrue(dag.length() > 500_000, "~0.7 MB of dagitty text");
        Response r = analyze(dag, "v20000", "v20030");
        r.then().statusCode(200).body("nodes", equalTo(40_000));
        List<List<String>> minimal = r.path("adjustmentSets.minimal");
        assertFalse(minimal.isEmpty());
        // and the service still answers
        analyze("dag { Z -> X; Z -> Y; X -> Y }", "X", "Y").then().statusCode(200)
                .body("adjustmentSets.minimal", equalTo(List.of(List.of("Z"))));
    }

    @Test
    void aCompleteAnswerKeepsItsShape() {
        Response r = analyze("dag { Z -> X -> M -> Y; Z -> Y }", "X", "Y");
        r.then().statusCode(200);
        Map<String, Object> body = r.as(Map.class);
        assertEquals(List.of("nodes", "edges", "adjustmentSets", "frontDoor", "instruments", "impliedIndependences",
                "impliedIndependencesTruncated"), List.copyOf(body.keySet()));
    }

    @Test
    void deeplyNestedGroupsAre400() {
        analyze("dag { " + "{".repeat(100_000) + " A " + "}".repeat(100_000) + " }", "A", "B")
                .then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("nested"));
    }
}
