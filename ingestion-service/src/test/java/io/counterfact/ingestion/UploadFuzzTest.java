package io.counterfact.ingestion;

import io.counterfact.infra.Fuzz;
import io.counterfact.infra.Sql;
import io.counterfact.infra.TestTokens;
import io.counterfact.ingestion.rows.RowReaderFuzzTest;
import io.counterfact.ingestion.rows.RowReaderFuzzTest.Format;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.time.Duration;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzzed bodies of {@link RowReaderFuzzTest} (random and mutated CSV and NDJSON) sent to the running service,
 * with its real PostgreSQL: each answer is a 200 or a 400 problem+json (never a 5xx, never internals), the same
 * verdict the reader gives as a unit, and a rejected batch leaves nothing stored. Each upload is a try of
 * {@link Fuzz} (a fixed seed, {@code -Dfuzz.seed=} to change it; a failure shows the body as base64), and the batches
 * are then made a version.
 */
@QuarkusTest
class UploadFuzzTest {

    static final int TRIES = 60;
    static final long SEED = 20261207L;
    /** A hang detector, not a speed requirement. */
    static final Duration HANG = Duration.ofSeconds(30);

    @Inject
    DataSource dataSource;

    @TestFactory
    Stream<DynamicTest> fuzzedUploadsAreAcceptedOrRejectedWholeNeverA5xx() {
        String dataset = DatasetApiTest.register();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(HANG).build();
        URI rows = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/datasets/" + dataset + "/rows");
        Stream<DynamicTest> uploads = Fuzz.tries("fuzzedUploadsAreAcceptedOrRejectedWholeNeverA5xx", TRIES, SEED,
                r -> new Upload(RowReaderFuzzTest.bodies(r), RowReaderFuzzTest.format(r)), Upload::toString, upload -> {
                    byte[] body = upload.body();
                    Format format = upload.format();
                    long stored = count("SELECT coalesce(sum(rows), 0) FROM batch WHERE dataset_id = ?", dataset);
                    long accepted = count("SELECT count(*) FROM batch WHERE dataset_id = ?", dataset);
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(rows).timeout(HANG)
                            .header("Authorization", TestTokens.analyst())
                            .header("Content-Type", format == Format.CSV ? "text/csv" : "application/x-ndjson")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    RowReaderFuzzTest.Outcome unit = RowReaderFuzzTest.read(format, body);
                    if (unit.rejected() != null) {
                        assertEquals(400, answer.statusCode(), answer::body);
                        assertTrue(answer.headers().firstValue("Content-Type").orElse("")
                                .startsWith("application/problem+json"));
                        assertEquals(unit.rejected().getMessage(), detail(answer.body()));
                    } else {
                        assertEquals(200, answer.statusCode(), answer::body);
                        assertTrue(answer.body().contains("\"accepted\":" + unit.rows().size()), answer.body());
                        stored += unit.rows().size();
                        accepted++;
                    }
                    assertFalse(answer.body().contains("Exception") || answer.body().contains("io.counterfact.")
                            || answer.body().contains("com.fasterxml"), () -> "internals in " + answer.body());
                    // a rejected batch leaves nothing stored, an accepted one exactly its rows
                    assertEquals(stored, count("SELECT coalesce(sum(rows), 0) FROM batch WHERE dataset_id = ?", dataset));
                    assertEquals(accepted, count("SELECT count(*) FROM batch WHERE dataset_id = ?", dataset));
                });
        // then a version of all that was accepted: every stored row, or a 409 if nothing was
        DynamicTest version = DynamicTest.dynamicTest("a version of the accepted batches", () -> {
            long stored = count("SELECT coalesce(sum(rows), 0) FROM batch WHERE dataset_id = ?", dataset);
            if (count("SELECT count(*) FROM batch WHERE dataset_id = ?", dataset) > 0) {
                given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                        .then().statusCode(201).body("rows", equalTo((int) stored));
            } else {
                given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                        .then().statusCode(409);
            }
        });
        return Stream.concat(uploads, Stream.of(version));
    }

    /** A fuzzed body and the format it is sent as. */
    record Upload(byte[] body, Format format) {
        @Override
        public String toString() {
            return format + " body of " + Fuzz.base64(body);
        }
    }

    private static String detail(String problem) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(problem).path("detail").asText();
    }

    private long count(String sql, Object... args) {
        return Sql.count(dataSource, sql, args);
    }
}
