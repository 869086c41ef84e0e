package io.counterfact.gateway;

import io.counterfact.gateway.support.Await;
import io.counterfact.gateway.support.FakeService;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.counterfact.gateway.support.GeneratedBody;
import io.counterfact.infra.GeneratedJson;
import io.counterfact.infra.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each route's body limit: JSON bodies the default 1 MiB, row uploads (here) 4 MiB. Past it 413 problem+json, at once
 * for a declared length, as soon as the limit is passed for a body of no declared length, and never more than the
 * limit forwarded to the service.
 */
@QuarkusTest
@TestProfile(BodyLimitTest.SmallRowLimit.class)
@WithTestResource(FakeServicePorts.class)
class BodyLimitTest extends GatewayTestBase {

    static final long JSON_LIMIT = 1024 * 1024;
    static final long LIMIT = 4 * 1024 * 1024;
    static final String JSON_ROUTES = "POST /api/datasets, POST /api/estimations, POST /api/dags/analyze, "
            + "PUT /api/datasets/ds-1, PATCH /api/estimations/e-1";

    /** The JSON limit is left at its default. */
    public static class SmallRowLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("counterfact.body-limits.rows", Long.toString(LIMIT));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST /api/datasets", "POST /api/estimations", "POST /api/dags/analyze",
            "PUT /api/datasets/ds-1", "PATCH /api/estimations/e-1"})
    void anHonestContentLengthJustOverTheJsonLimitIs413AtOnceAndNoServiceIsCalled(String call) throws Exception {
        // the headers only: the answer must not wait for the body
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, call + " HTTP/1.1\nHost: localhost\n"
                + "Authorization: Bearer " + ANALYST_KEY + "\nContent-Type: application/json\nContent-Length: "
                + (JSON_LIMIT + 1), out -> { }, 5000);
        assertEquals(413, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertEquals("request body of 1048577 bytes exceeds the limit of 1048576 bytes (1 MiB) for JSON bodies",
                new JsonPath(answer.body()).getString("detail"));
        services.all().forEach(s -> assertEquals(0, s.arrivals(), s.name() + " was called"));
    }

    /** HTTP/1.1 sends the body chunked; HTTP/2 (the JDK client upgrades with h2c) sends it with no length. */
    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void aJsonBodyOfNoDeclaredLengthJustOverTheLimitIsCutOnEveryJsonRoute(HttpClient.Version version) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).build();
        for (String call : JSON_ROUTES.split(", ")) {
            services.all().forEach(FakeService::reset);
            String method = call.substring(0, call.indexOf(' '));
            GeneratedJson body = new GeneratedJson(JSON_LIMIT + 1, "columns");
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create(gatewayUrl() + call.substring(method.length() + 1)))
                    .header("Authorization", "Bearer " + ANALYST_KEY)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> body)) // no length
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode(), call + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(new JsonPath(response.body()).getString("detail").startsWith(
                    "request body exceeds the limit of 1048576 bytes (1 MiB) for JSON bodies"), response.body());
            assertNothingCompleteForwarded(JSON_LIMIT);
        }
    }

    /**
     * A Content-Length that says little beside a chunked body that is large, the classic request-smuggling pair:
     * the HTTP layer refuses the message whole (400, as RFC 9112 6.3 allows) and the service never hears of it.
     */
    @Test
    void aLyingSmallContentLengthBesideAChunkedBodyIsRefusedAndNothingForwarded() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST /api/datasets HTTP/1.1\nHost: localhost\n"
                        + "Authorization: Bearer " + ANALYST_KEY + "\nContent-Type: application/json\n"
                        + "Content-Length: 100\nTransfer-Encoding: chunked",
                RawHttp.chunked(new GeneratedJson(3 * JSON_LIMIT, "columns")), 10_000);
        assertEquals(400, answer.status(), answer.body());
        services.all().forEach(s -> assertEquals(0, s.arrivals(), s.name() + " was called"));
    }

    /**
     * Past a lying small Content-Length the bytes are not body (HTTP/1.1 frames the body by the header): the service
     * gets no more than was declared, whatever the client keeps sending (which the gateway then refuses as a
     * malformed next request, or closes the connection on).
     */
    @Test
    void aLyingSmallContentLengthForwardsNoMoreThanItDeclared() throws Exception {
        try {
            RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST /api/datasets HTTP/1.1\nHost: localhost\n"
                            + "Authorization: Bearer " + ANALYST_KEY + "\nContent-Type: application/json\n"
                            + "Content-Length: 100",
                    RawHttp.streaming(new GeneratedJson(3 * JSON_LIMIT, "columns")), 10_000);
            assertTrue(answer.status() == 200 || answer.status() == 400, answer.status() + " " + answer.body());
        } catch (java.io.IOException closed) {
            // the gateway closed the connection on the bytes past the declared body: also a refusal
        }
        Await.until(() -> services.ingestion.received().size() == services.ingestion.arrivals(), Duration.ofSeconds(5),
                "requests still arriving");
        long forwarded = services.ingestion.received().stream().mapToLong(FakeService.Received::bytes).sum();
        assertTrue(forwarded <= 100, "only the declared bytes are a body: " + services.ingestion.received());
    }

    @Test
    void theRowRouteStillTakesBodiesPastTheJsonLimit() throws Exception {
        GeneratedBody body = new GeneratedBody(3 * JSON_LIMIT, 5);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gatewayUrl() + "/api/datasets/ds-1/rows"))
                .header("Authorization", "Bearer " + ANALYST_KEY)
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        FakeService.Received received = services.ingestion.single();
        assertTrue(received.completed());
        assertEquals(3 * JSON_LIMIT, received.bytes());
        assertEquals(body.sha256(), received.sha256());
    }

    /** Whatever reached a service is an aborted request of at most {@code limit} bytes, or nothing at all. */
    private void assertNothingCompleteForwarded(long limit) {
        Await.until(() -> services.all().stream().allMatch(s -> s.received().size() == s.arrivals()),
                Duration.ofSeconds(10), "a request to a service never ended");
        for (FakeService service : services.all()) {
            for (FakeService.Received received : service.received()) {
                assertFalse(received.completed(), service.name() + " got a complete body: " + received);
                assertTrue(received.bytes() <= limit, service.name() + " got " + received.bytes() + " bytes");
            }
        }
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413AtOnceWithoutReadingTheBody() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            // headers only: a 10 GB body is announced and never sent; the answer must not wait for it
            out.write(("POST /api/datasets/ds-1/rows HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + ANALYST_KEY + "\r\nContent-Type: text/csv\r\nContent-Length: 10737418240\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertEquals("HTTP/1.1 413 Content Too Large", status.replace("Request Entity Too Large", "Content Too Large"));
            List<String> headers = new ArrayList<>();
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase());
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            assertTrue(headers.contains("content-type: application/problem+json"), headers.toString());
            assertTrue(headers.contains("connection: close"), headers.toString());
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                read += in.read(body, read, length - read);
            }
            JsonPath problem = new JsonPath(new String(body));
            assertEquals(413, problem.getInt("status"));
            assertEquals("request body of 10737418240 bytes exceeds the limit of 4194304 bytes (4 MiB) for row uploads",
                    problem.getString("detail"));
        }
        assertTrue(services.ingestion.received().isEmpty());
    }

    @Test
    void aClientThatDisconnectsMidUploadLeavesTheServiceWithAnAbortedRequestAndTheCircuitUncharged() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/datasets/ds-1/rows HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + ANALYST_KEY + "\r\nContent-Type: text/csv\r\nContent-Length: 900000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[300_000]);
            out.flush();
            Await.until(() -> services.ingestion.arrivals() > 0, Duration.ofSeconds(10), "the upload never started");
        }
        Await.until(() -> !services.ingestion.received().isEmpty(), Duration.ofSeconds(10), "nothing recorded");
        FakeService.Received received = services.ingestion.single();
        assertFalse(received.completed(), "the service must see the request aborted");
        assertTrue(received.bytes() < 900_000);
        assertEquals(0, upstreams.breaker(io.counterfact.gateway.routing.Service.INGESTION).consecutiveFailures(),
                "a client's failure is not the service's");
    }

    @Test
    void expectContinueIsAnsweredByTheGatewayOnlyOnceTheRequestIsAccepted() throws Exception {
        String refused = exchangeWithExpect(VIEWER_KEY);
        assertTrue(refused.startsWith("HTTP/1.1 403"), refused);
        String accepted = exchangeWithExpect(ANALYST_KEY);
        assertTrue(accepted.startsWith("HTTP/1.1 100 Continue"), accepted);
        assertTrue(accepted.contains("HTTP/1.1 200 OK"), accepted);
        FakeService.Received received = services.ingestion.single();
        assertEquals("a,b\n1,2\n", received.bodyStart());
        assertFalse(received.headers().contains("Expect"), "the gateway handled the expectation itself");
    }

    /** Sends headers with Expect: 100-continue, waits for the first answer, sends the body only after a 100. */
    private static String exchangeWithExpect(String key) throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/datasets/ds-1/rows HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: text/csv\r\nContent-Length: 8\r\nExpect: 100-continue\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            int n = in.read(buffer);
            answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            if (answer.toString().startsWith("HTTP/1.1 100")) {
                out.write("a,b\n1,2\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            for (n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            return answer.toString();
        }
    }

    /** HTTP/1.1 sends the body chunked; HTTP/2 (the JDK client upgrades with h2c) sends it with no length. */
    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void aBodyOfNoDeclaredLengthThatRunsPastTheLimitIsCutThe413AnsweredAndTheServiceRequestAborted(
            HttpClient.Version version) throws Exception {
        GeneratedBody body = new GeneratedBody(3 * LIMIT, 7);
        HttpResponse<String> response = HttpClient.newBuilder().version(version).build().send(HttpRequest.newBuilder(
                        URI.create(gatewayUrl() + "/api/datasets/ds-1/rows"))
                .header("Authorization", "Bearer " + ANALYST_KEY)
                .header("Content-Type", "text/csv")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)) // no length: chunked
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonPath problem = new JsonPath(response.body());
        assertTrue(problem.getString("detail").contains("exceeds the limit of 4194304 bytes (4 MiB) for row uploads"),
                problem.prettify());

        Await.until(() -> !services.ingestion.received().isEmpty(), Duration.ofSeconds(10), "no request recorded");
        FakeService.Received received = services.ingestion.single();
        assertFalse(received.completed(), "the service must see an aborted request, not a complete shorter body");
        assertTrue(received.bytes() <= LIMIT, "no more than the limit was forwarded: " + received.bytes());
    }

    @ParameterizedTest
    @EnumSource(HttpClient.Version.class)
    void bodiesUpToTheLimitPassWhole(HttpClient.Version version) throws Exception {
        for (boolean chunked : new boolean[]{true, false}) {
            services.ingestion.reset();
            GeneratedBody body = new GeneratedBody(LIMIT, 11);
            HttpRequest.BodyPublisher publisher = chunked
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> body)
                    : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), LIMIT);
            HttpResponse<String> response = HttpClient.newBuilder().version(version).build().send(HttpRequest.newBuilder(
                            URI.create(gatewayUrl() + "/api/datasets/ds-1/rows"))
                    .header("Authorization", "Bearer " + ANALYST_KEY)
                    .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            FakeService.Received received = services.ingestion.single();
            assertTrue(received.completed());
            assertEquals(LIMIT, received.bytes());
            assertEquals(body.sha256(), received.sha256());
        }
    }
}
