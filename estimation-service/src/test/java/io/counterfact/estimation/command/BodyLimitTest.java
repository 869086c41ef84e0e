package io.counterfact.estimation.command;

import io.counterfact.infra.GeneratedJson;
import io.counterfact.infra.RawHttp;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A direct call (with a valid internal token) cannot make estimation-service parse a huge or deep JSON body:
 * 300 MB, generated as it is sent and never held by the test, is 413 within 2 s on both POSTs, with an honest
 * Content-Length (at once) or chunked (once 1 MiB is passed), and the service answers normally afterwards.
 * DAG analysis is open to viewers; estimation commands are not.
 */
@QuarkusTest
class BodyLimitTest {

    static final long HUGE = 300_000_000L;
    static final String DAG = "{\"dag\": \"dag { Z -> X; Z -> Y; X -> Y }\", \"treatment\": \"X\", \"outcome\": \"Y\"}";

    /** A first analysis warms the JSON path up, so that the time bounds below measure the limit, not the JIT. */
    @org.junit.jupiter.api.BeforeEach
    void warmUp() {
        analyseADag(TestTokens.analyst());
    }

    @ParameterizedTest
    @CsvSource({"/api/estimations, true", "/api/estimations, false", "/api/dags/analyze, true",
            "/api/dags/analyze, false"})
    void a300MegabyteJsonBodyIs413AtTheLimitAndTheServiceCarriesOn(String path, boolean chunked)
            throws Exception {
        GeneratedJson body = new GeneratedJson(HUGE, "covariates");
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST " + path + " HTTP/1.1\nHost: localhost\n"
                        + "Authorization: " + TestTokens.analyst() + "\nContent-Type: application/json\n"
                        + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + HUGE),
                chunked ? RawHttp.chunked(body) : RawHttp.streaming(body), 10_000);
        assertEquals(413, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertTrue(answer.millis() < 2000, "answered after " + answer.millis() + " ms");
        // and the rest was never read: the client could send little more than the limit and its socket buffers
        assertTrue(answer.sentBeforeAnswer() < 64L * 1024 * 1024, "the service read on: " + answer.sentBeforeAnswer());
        String detail = new JsonPath(answer.body()).getString("detail");
        assertTrue(detail.startsWith("request body " + (chunked ? "" : "of " + HUGE + " bytes ")
                + "exceeds this route's limit of 1048576 bytes (1 MiB)"), detail);
        assertFalse(answer.body().contains("Exception"), answer.body());
        System.out.printf("BODY LIMIT: estimation-service %s 300 MB %s -> 413 in %d ms, %d bytes sent by then%n",
                path, chunked ? "chunked" : "with Content-Length", answer.millis(), answer.sentBeforeAnswer());
        analyseADag(TestTokens.analyst()); // still answering
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/estimations", "/api/dags/analyze"})
    void aDeeplyNestedJsonIsA400ThatNamesNoInternals(String path) {
        given().header("Authorization", TestTokens.analyst()).contentType("application/json")
                .body("{\"dag\": " + "[".repeat(100_000))
                .when().post(path)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nesting depth"))
                .body("detail", not(containsString("StreamReadConstraints")))
                .body("detail", not(containsString("com.fasterxml")));
        analyseADag(TestTokens.analyst());
    }

    @Test
    void aViewerMayAnalyseADagButNotQueueAnEstimation() {
        analyseADag(TestTokens.viewer());
        given().header("Authorization", TestTokens.viewer()).contentType("application/json").body("{}")
                .when().post("/api/estimations")
                .then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("role viewer may only read; POST needs role analyst"));
    }

    private static void analyseADag(String authorization) {
        given().header("Authorization", authorization).contentType("application/json").body(DAG)
                .when().post("/api/dags/analyze")
                .then().statusCode(200).body("adjustmentSets.minimal[0][0]", equalTo("Z"));
    }
}
