package io.counterfact.ingestion;

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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
                Arguments.of("NDJSON string in binary", "application/x-ndjson", "{\"y\": 1, \"t\": \"yes\", \"region\": \"a\"}\n", "'yes' is not binary"));
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

    private long count(String sql, Object... args) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
