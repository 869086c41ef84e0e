package io.counterfact.ingestion;

import io.counterfact.infra.GeneratedJson;
import io.counterfact.infra.RawHttp;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A direct call (with a valid internal token, as if through the gateway) cannot make ingestion-service parse a
 * huge JSON body: 300 MB, generated as it is sent and never held by the test, is refused with 413 within 2 s on every
 * POST that takes JSON, with an honest Content-Length (at once) or chunked (as soon as 1 MiB is passed), and the
 * service answers normally afterwards. Row uploads keep their own limit (4 MiB in %test, 2 GiB in prod).
 */
@QuarkusTest
class BodyLimitTest {

    static final long HUGE = 300_000_000L;
    static final long JSON_LIMIT = 1024 * 1024;
    static final String CSV_ROW = "1.5,1,north\n";
    static final String NDJSON_ROW = "{\"y\": 1.5, \"t\": 1, \"region\": \"north\"}\n";

    /** A first registration warms the JSON path up, so that the time bounds below measure the limit, not the JIT. */
    @org.junit.jupiter.api.BeforeEach
    void warmUp() {
        DatasetApiTest.register();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void a300MegabyteRegistrationIs413AtTheLimitAndTheServiceCarriesOn(boolean chunked) throws Exception {
        RawHttp.Answer answer = post("/api/datasets", "application/json", new GeneratedJson(HUGE, "columns"), chunked);
        assertRefusedFast(answer, chunked);
        DatasetApiTest.register(); // still answering, and storing
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void a300MegabyteBodyToSealAVersionIsRefusedOrIgnoredNeverRead(boolean chunked) throws Exception {
        String dataset = DatasetApiTest.register();
        RawHttp.Answer answer = post("/api/datasets/" + dataset + "/versions", "application/json",
                new GeneratedJson(HUGE, "columns"), chunked);
        if (chunked) {
            // sealing takes no body: it is not read, and the answer does not wait for it
            assertTrue(answer.millis() < 2000, "answered after " + answer.millis() + " ms");
            assertEquals(409, answer.status(), answer.body());
        } else {
            assertRefusedFast(answer, false);
        }
        DatasetApiTest.register();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRowUploadPastItsLimitIs413AndNothingIsStored(boolean chunked) throws Exception {
        String dataset = DatasetApiTest.register();
        InputStream body = csv(HUGE);
        long length = length(body);
        RawHttp.Answer answer = post("/api/datasets/" + dataset + "/rows", "text/csv", body, chunked);
        // (no time bound here: the 4 MiB before the limit are parsed and stored, as rows are, then rolled back)
        assertEquals(413, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertEquals("request body " + (chunked ? "" : "of " + length + " bytes ") + "exceeds this route's limit of "
                + "4194304 bytes (4 MiB)", detail(answer).replaceAll(";.*", ""));
        given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                .then().statusCode(409); // nothing appended
    }

    /** The rows route is not bound by the JSON limit: CSV and NDJSON past 1 MiB are taken (and stream). */
    @ParameterizedTest
    @ValueSource(strings = {"text/csv", "application/x-ndjson"})
    void rowUploadsPastTheJsonLimitAreAccepted(String contentType) throws Exception {
        String dataset = DatasetApiTest.register();
        long size = 3 * JSON_LIMIT;
        InputStream body = contentType.equals("text/csv") ? csv(size) : ndjson(size);
        long rows = length(body) / (contentType.equals("text/csv") ? CSV_ROW.length() : NDJSON_ROW.length());
        RawHttp.Answer answer = post("/api/datasets/" + dataset + "/rows", contentType, body, true);
        assertEquals(200, answer.status(), answer.body());
        assertEquals(rows, new JsonPath(answer.body()).getLong("accepted"), answer.body());
    }

    @Test
    void aDeeplyNestedJsonIsA400ThatNamesNoInternals() {
        String nested = "[".repeat(100_000);
        given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body(nested)
                .when().post("/api/datasets")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("nesting depth"))
                .body("detail", not(containsString("StreamReadConstraints")))
                .body("detail", not(containsString("com.fasterxml")));
        DatasetApiTest.register();
    }

    @Test
    void anOverlongNumberIsA400ThatNamesNoInternals() {
        String body = "{\"name\": " + "9".repeat(5000) + ", \"columns\": []}";
        given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body(body)
                .when().post("/api/datasets")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Number value length"))
                .body("detail", not(containsString("`")));
    }

    @Test
    void aWrongShapeNamesTheJsonKindNotAJavaClass() {
        given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body("[1, 2]")
                .when().post("/api/datasets")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", not(containsString("io.counterfact")))
                .body("detail", not(containsString("NewDataset")))
                .body("detail", not(containsString("java.")));
    }

    static RawHttp.Answer post(String path, String contentType, InputStream body, boolean chunked) throws Exception {
        String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + length(body);
        return RawHttp.exchange(RestAssured.port, "POST " + path + " HTTP/1.1\nHost: localhost\nAuthorization: "
                        + TestTokens.analyst() + "\nContent-Type: " + contentType + "\n" + framing,
                chunked ? RawHttp.chunked(body) : RawHttp.streaming(body), 10_000);
    }

    static void assertRefusedFast(RawHttp.Answer answer, boolean chunked) {
        assertEquals(413, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertTrue(answer.millis() < 2000, "answered after " + answer.millis() + " ms");
        // and the rest was never read: the client could send little more than the limit and its socket buffers
        assertTrue(answer.sentBeforeAnswer() < 64L * 1024 * 1024, "the service read on: " + answer.sentBeforeAnswer());
        String detail = detail(answer);
        assertTrue(detail.startsWith("request body " + (chunked ? "" : "of " + HUGE + " bytes ")
                + "exceeds this route's limit of 1048576 bytes (1 MiB)"), detail);
        assertFalse(answer.body().contains("Exception"), answer.body());
        System.out.printf("BODY LIMIT: ingestion-service 300 MB %s -> 413 in %d ms, %d bytes sent by then%n",
                chunked ? "chunked" : "with Content-Length", answer.millis(), answer.sentBeforeAnswer());
    }

    static String detail(RawHttp.Answer answer) {
        return new JsonPath(answer.body()).getString("detail");
    }

    private static long length(InputStream body) {
        if (body instanceof GeneratedJson json) {
            return json.length();
        }
        if (body instanceof Sized sized) {
            return sized.length;
        }
        throw new IllegalArgumentException("unknown length");
    }

    /** Rows of the registered schema (y numeric, t binary, region categorical), about {@code size} bytes. */
    static InputStream csv(long size) {
        return rows(size, "y,t,region\n", CSV_ROW);
    }

    static InputStream ndjson(long size) {
        return rows(size, "", NDJSON_ROW);
    }

    private static InputStream rows(long size, String header, String row) {
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] line = row.getBytes(StandardCharsets.US_ASCII);
        long rows = (size - head.length) / line.length;
        InputStream repeated = new InputStream() {
            long at;

            @Override
            public int read() {
                return at < rows * line.length ? line[(int) (at++ % line.length)] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                long left = rows * line.length - at;
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = line[(int) (at++ % line.length)];
                }
                return n;
            }
        };
        return new Sized(new SequenceInputStream(Collections.enumeration(
                java.util.List.of(new ByteArrayInputStream(head), repeated))), head.length + rows * line.length);
    }

    /** A stream that knows its length (for an honest Content-Length). */
    private static final class Sized extends java.io.FilterInputStream {
        final long length;

        Sized(InputStream in, long length) {
            super(in);
            this.length = length;
        }
    }
}
