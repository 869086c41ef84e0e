package io.counterfact.ingestion;

import io.counterfact.infra.Sql;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;

import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every bad input gets a 4xx problem+json whose detail names the fault, and leaves nothing stored: no batch, no row
 * group, no outbox event.
 */
@QuarkusTest
class BadInputTest {

    @Inject
    DataSource dataSource;

    String dataset;

    @BeforeEach
    void register() {
        dataset = DatasetApiTest.register();
    }

    static Stream<Arguments> badUploads() {
        return Stream.of(
                Arguments.of("unterminated quote", "text/csv", "y,t,region\n1,0,\"north\n", "malformed CSV"),
                Arguments.of("text in a numeric column", "text/csv", "y,t,region\n1,0,a\nabc,1,b\n", "row 2, column 'y': 'abc' is not a number"),
                Arguments.of("NaN", "text/csv", "y,t,region\nNaN,0,a\n", "row 1, column 'y': 'NaN' is not a finite number"),
                Arguments.of("Infinity", "text/csv", "y,t,region\n1,0,a\n-Infinity,0,a\n", "row 2, column 'y': '-Infinity' is not a finite number"),
                Arguments.of("overflow", "text/csv", "y,t,region\n1e999,0,a\n", "overflows a double"),
                Arguments.of("hex float", "text/csv", "y,t,region\n0x1p3,0,a\n", "'0x1p3' is not a number"),
                Arguments.of("binary value 2", "text/csv", "y,t,region\n1,2,a\n", "row 1, column 't': '2' is not binary"),
                Arguments.of("missing column", "text/csv", "y,t\n1,0\n", "column 'region': column of the schema is missing from the header"),
                Arguments.of("extra column", "text/csv", "y,t,region,z\n1,0,a,5\n", "column 'z': the header names a column that is not in the dataset's schema"),
                Arguments.of("duplicate header", "text/csv", "y,t,region,y\n1,0,a,1\n", "column 'y': duplicate column in the header"),
                Arguments.of("empty body", "text/csv", "", "empty body"),
                Arguments.of("header only", "text/csv", "y,t,region\n", "no rows"),
                Arguments.of("ragged row", "text/csv", "y,t,region\n1,0,a\n2,1\n", "row 2: has 2 fields, the header has 3"),
                Arguments.of("NDJSON malformed", "application/x-ndjson", "{\"y\": 1, \"t\": 0, \"region\": \"a\"}\n{\"y\": 2,\n", "malformed JSON"),
                Arguments.of("NDJSON unknown field", "application/x-ndjson", "{\"y\": 1, \"t\": 0, \"region\": \"a\", \"w\": 3}\n", "row 1, column 'w': field is not a column"),
                Arguments.of("NDJSON missing field", "application/x-ndjson", "{\"y\": 1, \"t\": 0}\n", "row 1, column 'region': field missing from the row"),
                Arguments.of("NDJSON nested value", "application/x-ndjson", "{\"y\": [1], \"t\": 0, \"region\": \"a\"}\n", "not a nested array"),
                Arguments.of("NDJSON not an object", "application/x-ndjson", "[1, 0, \"a\"]\n", "expected a JSON object per line"),
                Arguments.of("NDJSON string in binary", "application/x-ndjson", "{\"y\": 1, \"t\": \"yes\", \"region\": \"a\"}\n", "'yes' is not binary"),
                // a JSON escape can spell a surrogate on its own: no character, stored as '?' if let through
                Arguments.of("NDJSON lone surrogate escape", "application/x-ndjson", "{\"y\": 1, \"t\": 0, \"region\": \"a\\ud800\"}\n",
                        "row 1, column 'region': 'a\\uD800' contains a lone surrogate (\\uD800), which is not a Unicode character"),
                Arguments.of("NDJSON NUL escape", "application/x-ndjson", "{\"y\": 1, \"t\": 0, \"region\": \"a\\u0000\"}\n",
                        "row 1, column 'region': 'a\\u0000' contains U+0000 (NUL)"),
                Arguments.of("CSV header of a thousand fields", "text/csv", "y,t,region" + ",".repeat(1000) + "\n1,0,a\n",
                        "the header has more than 103 fields; the dataset has 3 columns"),
                Arguments.of("CSV NUL in a categorical value", "text/csv", "y,t,region\n1,0,a\u0000b\n",
                        "row 1, column 'region': 'a\\u0000b' contains U+0000 (NUL)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUploads")
    void aBadUploadIsRejectedWholeNamingTheFault(String name, String contentType, String body, String expected) {
        // valid rows before the bad one must not be stored either: the batch is all or nothing
        given().header("Authorization", TestTokens.analyst()).contentType(contentType)
                .body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/api/datasets/{id}/rows", dataset)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(expected));
        assertNothingStored();
    }

    /** Bodies whose bytes are not valid UTF-8: refused whole, the detail naming where, never stored as U+FFFD. */
    static Stream<Arguments> invalidUtf8Uploads() {
        return Stream.of(
                Arguments.of("CSV categorical value", "text/csv", bytes("y,t,region\n1,0,a\n2,1,nor", 0xC3, 0x28, "th\n"),
                        "row 2, column 'region': byte C3 at byte offset 24 of the body is not valid UTF-8"),
                Arguments.of("CSV header name", "text/csv", bytes("y,t,reg", 0xFF, "ion\n1,0,a\n"),
                        "header row, field 3: byte FF at byte offset 7 of the body is not valid UTF-8"),
                Arguments.of("CSV numeric value", "text/csv", bytes("y,t,region\n1,0,a\n1", 0xE2, 0x82, ",0,a\n"),
                        "row 2, column 'y': bytes E2 82 at byte offset 18 of the body are not valid UTF-8"),
                Arguments.of("CSV overlong encoding of '/'", "text/csv", bytes("y,t,region\n1,0,", 0xC0, 0xAF, "\n"),
                        "row 1, column 'region': byte C0 at byte offset 15"),
                Arguments.of("CSV surrogate pair encoded as CESU-8", "text/csv",
                        bytes("y,t,region\n1,0,a", 0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80, "\n"), "row 1, column 'region': bytes ED A0 80 at byte offset 16"),
                Arguments.of("CSV code point above U+10FFFF", "text/csv", bytes("y,t,region\n1,0,", 0xF4, 0x90, 0x80, 0x80, "\n"),
                        "row 1, column 'region': byte F4 at byte offset 15"),
                Arguments.of("CSV quoted value", "text/csv", bytes("y,t,region\n1,0,\"a,", 0xFE, "\"\n"),
                        "row 1, column 'region': byte FE at byte offset 18"),
                Arguments.of("CSV truncated multi-byte sequence at the end", "text/csv", bytes("y,t,region\n1,0,a\n2,1,b", 0xE2, 0x82),
                        "row 2, column 'region': bytes E2 82 at byte offset 22 of the body are not valid UTF-8"),
                Arguments.of("NDJSON categorical value", "application/x-ndjson",
                        bytes("{\"y\": 1, \"t\": 0, \"region\": \"a", 0xC3, 0x28, "\"}\n"),
                        "row 1, column 'region': byte C3 at byte offset 29 of the body is not valid UTF-8"),
                Arguments.of("NDJSON key", "application/x-ndjson",
                        bytes("{\"y\": 1, \"t\": 0, \"region\": \"a\"}\n{\"y\": 1, \"t\": 0, \"reg", 0xFF, "ion\": \"a\"}\n"),
                        "row 2: the field name after 't': byte FF at byte offset 53"),
                Arguments.of("NDJSON numeric value", "application/x-ndjson",
                        bytes("{\"y\": 1", 0x80, ", \"t\": 0, \"region\": \"a\"}\n"), "row 1, column 'y': byte 80 at byte offset 7"),
                Arguments.of("NDJSON overlong NUL", "application/x-ndjson",
                        bytes("{\"y\": 1, \"t\": 0, \"region\": \"", 0xC0, 0x80, "\"}\n"), "row 1, column 'region': byte C0 at byte offset 28"),
                Arguments.of("NDJSON lone surrogate encoded in UTF-8", "application/x-ndjson",
                        bytes("{\"y\": 1, \"t\": 0, \"region\": \"", 0xED, 0xB2, 0x80, "\"}\n"), "row 1, column 'region': bytes ED B2 80 at byte offset 28"),
                Arguments.of("NDJSON truncated multi-byte sequence at the end", "application/x-ndjson",
                        bytes("{\"y\": 1, \"t\": 0, \"region\": \"a\"}\n", 0xF0, 0x9F, 0x98), "row 2: bytes F0 9F 98 at byte offset 32 of the body are not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8Uploads")
    void invalidUtf8IsRejectedWholeNamingWhere(String name, String contentType, byte[] body, String expected) {
        given().header("Authorization", TestTokens.analyst()).contentType(contentType).body(body)
                .when().post("/api/datasets/{id}/rows", dataset)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(expected));
        assertNothingStored();
        given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                .then().statusCode(409).body("detail", containsString("nothing appended"));
    }

    /** A UTF-8 byte order mark before the header or the first object is skipped, as spreadsheets write it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("uploadsWithByteOrderMark")
    void aLeadingByteOrderMarkIsAccepted(String contentType, byte[] body) {
        given().header("Authorization", TestTokens.analyst()).contentType(contentType).body(body)
                .when().post("/api/datasets/{id}/rows", dataset)
                .then().statusCode(200).body("accepted", equalTo(2));
    }

    static Stream<Arguments> uploadsWithByteOrderMark() {
        return Stream.of(
                Arguments.of("text/csv", bytes(0xEF, 0xBB, 0xBF, "y,t,region\n1,0,\u00e9t\u00e9\n2,1,\u65e5\u672c\n")),
                Arguments.of("application/x-ndjson", bytes(0xEF, 0xBB, 0xBF,
                        "{\"y\": 1, \"t\": 0, \"region\": \"\u00e9t\u00e9\"}\n{\"y\": 2, \"t\": 1, \"region\": \"\ud83d\ude00\"}\n")));
    }

    /** Concatenates text (as UTF-8) and single bytes given as ints. */
    static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(part.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Test
    void manyBadRowsAreListedUpToALimit() {
        StringBuilder csv = new StringBuilder("y,t,region\n");
        for (int i = 0; i < 50; i++) {
            csv.append("x,0,a\n");
        }
        given().header("Authorization", TestTokens.analyst()).contentType("text/csv").body(csv.toString())
                .when().post("/api/datasets/{id}/rows", dataset)
                .then().statusCode(400).body("errors", hasSize(20)).body("errors[19].row", equalTo(20))
                .body("errors[0].column", equalTo("y"));
        assertNothingStored();
    }

    @Test
    void unknownDatasetIs404() {
        given().header("Authorization", TestTokens.analyst()).contentType("text/csv").body("y\n1\n")
                .when().post("/api/datasets/{id}/rows", "ds_nope")
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("ds_nope"));
        given().header("Authorization", TestTokens.analyst()).when().get("/api/datasets/{id}", "ds_nope")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void wrongContentTypeIs415() {
        given().header("Authorization", TestTokens.analyst()).contentType("application/xml").body("<rows/>")
                .when().post("/api/datasets/{id}/rows", dataset)
                .then().statusCode(415).contentType("application/problem+json");
        assertNothingStored();
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        // Expect: 100-continue lets the server refuse on Content-Length before the client sends the body (5 MiB; the
        // %test row limit is 4 MiB). A plain socket: the JDK 17 client hangs on a refusal with a body to expect-continue.
        io.counterfact.infra.RawHttp.Answer answer = io.counterfact.infra.RawHttp.exchange(
                io.restassured.RestAssured.port, "POST /api/datasets/" + dataset + "/rows HTTP/1.1\nHost: localhost\n"
                        + "Authorization: " + TestTokens.analyst() + "\nContent-Type: text/csv\n"
                        + "Content-Length: 5242880\nExpect: 100-continue", out -> { }, 10_000);
        assertEquals(413, answer.status());
        assertEquals("application/problem+json", answer.header("Content-Type"));
        assertNothingStored();
    }

    @Test
    void sealingWithNothingAppendedIs409() {
        given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("nothing appended"));
    }

    static Stream<Arguments> badRegistrations() {
        return Stream.of(
                Arguments.of("{\"name\": \"x\", \"columns\": [{\"name\": \"a\", \"type\": \"float\"}]}", "columns[0].type"),
                Arguments.of("{\"name\": \"x\", \"columns\": [{\"name\": \"a\", \"type\": \"numeric\"}, {\"name\": \"a\", \"type\": \"binary\"}]}", "duplicates columns[0]"),
                Arguments.of("{\"columns\": [{\"name\": \"a\", \"type\": \"numeric\"}]}", "field 'name' is required"),
                Arguments.of("{\"name\": \"x\", \"columns\": []}", "field 'columns'"),
                Arguments.of("{\"name\": \"x\", \"columns\": [{\"name\": \"a b\", \"type\": \"numeric\"}]}", "columns[0].name"),
                Arguments.of("{\"name\": \"x\", \"columns\": [{\"name\": \"a\", \"type\": \"numeric\"}], \"colour\": 1}", "colour"),
                Arguments.of("{\"name\": \"x\", \"columns\": [", "malformed JSON"),
                Arguments.of("{\"name\": \"x\", \"columns\": \"a\"}", "at field 'columns'"));
    }

    @ParameterizedTest
    @MethodSource("badRegistrations")
    void aBadRegistrationIs400NamingTheField(String body, String expected) throws Exception {
        long before = count("SELECT count(*) FROM dataset");
        given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body(body)
                .when().post("/api/datasets")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString(expected));
        assertEquals(before, count("SELECT count(*) FROM dataset"));
    }

    /** Names PostgreSQL cannot hold (NUL, a lone surrogate: a 500 or a '?'), control characters, bytes not UTF-8. */
    static Stream<Arguments> badRegistrationBytes() {
        String columns = ", \"columns\": [{\"name\": \"a\", \"type\": \"numeric\"}]}";
        return Stream.of(
                Arguments.of("NUL escape in the name", bytes("{\"name\": \"a\\u0000b\"" + columns),
                        "field 'name' contains a control character (\\u0000) at position 2"),
                Arguments.of("lone surrogate escape in the name", bytes("{\"name\": \"ab\\ud800\"" + columns),
                        "field 'name' contains a lone surrogate (\\uD800) at position 3"),
                Arguments.of("new line in the name", bytes("{\"name\": \"a\\nb\"" + columns),
                        "field 'name' contains a control character (\\u000A) at position 2"),
                Arguments.of("invalid UTF-8 in the name", bytes("{\"name\": \"a", 0xFF, "\"" + columns),
                        "field 'name': byte FF at byte offset 11 of the body is not valid UTF-8"),
                Arguments.of("overlong NUL in the name", bytes("{\"name\": \"a", 0xC0, 0x80, "\"" + columns),
                        "field 'name': byte C0 at byte offset 11 of the body is not valid UTF-8"),
                Arguments.of("CESU-8 in a column name", bytes("{\"name\": \"x\", \"columns\": [{\"name\": \"a\", \"type\": \"numeric\"}, {\"name\": \"b",
                                0xED, 0xA0, 0x80, "\", \"type\": \"numeric\"}]}"),
                        "field 'columns[1].name': bytes ED A0 80 at byte offset 71 of the body are not valid UTF-8"),
                Arguments.of("truncated sequence at the end of the body", bytes("{\"name\": \"x\"" + columns, 0xE2, 0x82),
                        "bytes E2 82 at byte offset 60 of the body are not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRegistrationBytes")
    void aRegistrationWithUnstorableTextIs400NamingTheField(String name, byte[] body, String expected) throws Exception {
        long before = count("SELECT count(*) FROM dataset");
        given().header("Authorization", TestTokens.analyst()).contentType(ContentType.JSON).body(body)
                .when().post("/api/datasets")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString(expected));
        assertEquals(before, count("SELECT count(*) FROM dataset"));
    }

    /** An id or cursor PostgreSQL cannot take as text (a NUL) is no dataset: never a 500 from the query. */
    @Test
    void anIdWithANulIsNoDataset() {
        String nul = "ds_%00x";
        given().header("Authorization", TestTokens.analyst()).urlEncodingEnabled(false)
                .when().get("/api/datasets/" + nul)
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TestTokens.analyst()).urlEncodingEnabled(false).contentType("text/csv")
                .body("y,t,region\n1,0,a\n").when().post("/api/datasets/" + nul + "/rows")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TestTokens.analyst()).urlEncodingEnabled(false)
                .when().post("/api/datasets/" + nul + "/versions")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TestTokens.analyst()).urlEncodingEnabled(false)
                .when().get("/api/datasets?after=" + nul)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("'after'"));
    }

    private void assertNothingStored() {
        try {
            assertEquals(0, count("SELECT count(*) FROM batch WHERE dataset_id = ?", dataset), "batches");
            assertEquals(0, count("SELECT count(*) FROM row_group g JOIN batch b ON b.id = g.batch_id WHERE b.dataset_id = ?", dataset), "row groups");
            assertEquals(0, count("SELECT count(*) FROM outbox WHERE record_key = ? AND event_type <> 'io.counterfact.dataset.registered'", dataset), "events");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ValidatableResponse r = given().header("Authorization", TestTokens.analyst()).when().get("/api/datasets/{id}", dataset)
                .then().statusCode(200).body("pendingRows", equalTo(0));
    }

    private long count(String sql, Object... args) {
        return Sql.count(dataSource, sql, args);
    }
}
