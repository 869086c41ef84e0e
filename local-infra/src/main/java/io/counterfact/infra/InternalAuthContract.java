package io.counterfact.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResourceManager;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every service but the gateway keeps: it trusts only the gateway. Each of its routes refuses a call
 * without a valid internal token (missing, forged, expired, altered, a client's own API key: {@link
 * TestTokens#refused()}) with 401 problem+json, before it reads the body or looks up the id, and the answer says why
 * without an internal class name. Probes under /q/ need no token. A service's test suite extends this with
 * {@code @QuarkusTest} and lists its routes.
 */
public abstract class InternalAuthContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Every route of the service as "METHOD /path", with a made-up id where the path has one. */
    protected abstract List<String> routes();

    @TestFactory
    Stream<DynamicTest> everyRouteRefusesATokenTheGatewayDidNotIssue() {
        return routes().stream().flatMap(route -> TestTokens.refused().entrySet().stream().map(token ->
                DynamicTest.dynamicTest(route + " with a token that is " + token.getKey(),
                        () -> assertRefused(route, token.getValue()))));
    }

    @Test
    void probesNeedNoToken() throws IOException, InterruptedException {
        HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(base().resolve("/q/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode());
    }

    private static void assertRefused(String route, String authorization) throws IOException, InterruptedException {
        String[] methodAndPath = route.split(" ", 2);
        HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(methodAndPath[1]))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(methodAndPath[0], methodAndPath[0].equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, answer.statusCode(), route + ": " + answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                route + ": " + answer.headers().map());
        JsonNode problem = JSON.readTree(answer.body());
        assertEquals(401, problem.path("status").asInt());
        String detail = problem.path("detail").asText();
        assertTrue(detail.contains("gateway"), detail);
        assertFalse(detail.contains("Exception") || detail.contains("io.counterfact"), detail);
    }

    private static URI base() {
        return URI.create(TestHTTPResourceManager.getUri());
    }
}
