package io.counterfact.query;

import io.counterfact.infra.GeneratedJson;
import io.counterfact.infra.RawHttp;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * query-service has no POST (its views are built from events), but a body sent to it directly is still bounded:
 * a declared 300 MB body is refused with 413 problem+json at once on a route that exists, a write to a read-only
 * route is 405 without its body being read, and the service answers normally afterwards.
 */
@QuarkusTest
class BodyLimitTest {

    static final long HUGE = 300_000_000L;

    /** A first read warms the service up, so that the time bounds below measure the limit, not the JIT. */
    @org.junit.jupiter.api.BeforeEach
    void warmUp() {
        given().header("Authorization", TestTokens.viewer()).when().get("/api/views/datasets").then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT"})
    void a300MegabyteDeclaredBodyIs413AtOnce(String method) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, method + " /api/views/datasets HTTP/1.1\n"
                        + "Host: localhost\nAuthorization: " + TestTokens.analyst()
                        + "\nContent-Type: application/json\nContent-Length: " + HUGE,
                RawHttp.streaming(new GeneratedJson(HUGE, "items")), 10_000);
        if (method.equals("GET")) {
            assertEquals(413, answer.status(), answer.body());
            assertEquals("request body of 300000000 bytes exceeds this route's limit of 1048576 bytes (1 MiB)",
                    new JsonPath(answer.body()).getString("detail"));
        } else {
            assertEquals(405, answer.status(), answer.body());
        }
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertTrue(answer.millis() < 2000, "answered after " + answer.millis() + " ms");
        System.out.printf("BODY LIMIT: query-service %s 300 MB -> %d in %d ms%n", method, answer.status(),
                answer.millis());
        given().header("Authorization", TestTokens.viewer()).when().get("/api/views/datasets")
                .then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT"})
    void a300MegabyteChunkedWriteIs405WithoutReadingIt(String method) throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, method + " /api/views/datasets HTTP/1.1\n"
                        + "Host: localhost\nAuthorization: " + TestTokens.analyst()
                        + "\nContent-Type: application/json\nTransfer-Encoding: chunked",
                RawHttp.chunked(new GeneratedJson(HUGE, "items")), 10_000);
        assertEquals(405, answer.status(), answer.body());
        assertTrue(answer.millis() < 2000, "answered after " + answer.millis() + " ms");
        given().header("Authorization", TestTokens.viewer()).when().get("/api/views/datasets")
                .then().statusCode(200);
    }
}
