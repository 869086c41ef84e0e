package io.counterfact.ingestion;

import io.counterfact.infra.TestTokens;
import io.counterfact.ingestion.rows.RowReaderFuzzTest;
import io.counterfact.ingestion.rows.RowReaderFuzzTest.Format;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import net.jqwik.api.Arbitraries;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzzed bodies of {@link RowReaderFuzzTest} (random and mutated CSV and NDJSON) sent to the running service,
 * with its real PostgreSQL: each answer is a 200 or a 400 problem+json (never a 5xx, never internals), the same
 * verdict the reader gives as a unit, and a rejected batch leaves nothing stored. jqwik's generators are sampled
 * here rather than run as a jqwik property, whose engine would not start the Quarkus application.
 */
@QuarkusTest
class UploadFuzzTest {

    static final int TRIES = 60;
    /** A hang detector, not a speed requirement. */
    static final Duration HANG = Duration.ofSeconds(30);

    @Inject
    DataSource dataSource;

    @Test
    void fuzzedUploadsAreAcceptedOrRejectedWholeNeverA5xx() throws Exception {
        String dataset = DatasetApiTest.register();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(HANG).build();
        URI rows = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/datasets/" + dataset + "/rows");
        Iterator<byte[]> bodies = new RowReaderFuzzTest().bodies().sampleStream().iterator();
        Iterator<Format> formats = Arbitraries.of(Format.values()).sampleStream().iterator();
        long stored = 0;
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            byte[] body = bodies.next();
            Format format = formats.next();
            String sample = format + " body (base64) " + Base64.getEncoder().encodeToString(body);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(rows).timeout(HANG)
                    .header("Authorization", TestTokens.analyst())
                    .header("Content-Type", format == Format.CSV ? "text/csv" : "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            RowReaderFuzzTest.Outcome unit = RowReaderFuzzTest.read(format, body);
            if (unit.rejected() != null) {
                assertEquals(400, answer.statusCode(), () -> answer.body() + " for " + sample);
                assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
                assertEquals(unit.rejected().getMessage(), detail(answer.body()), sample);
            } else {
                assertEquals(200, answer.statusCode(), () -> answer.body() + " for " + sample);
                assertTrue(answer.body().contains("\"accepted\":" + unit.rows().size()), answer.body());
                stored += unit.rows().size();
                accepted++;
            }
            assertFalse(answer.body().contains("Exception") || answer.body().contains("io.counterfact.")
                    || answer.body().contains("com.fasterxml"), () -> "internals in " + answer.body());
            assertEquals(stored, count("SELECT coalesce(sum(rows), 0) FROM batch WHERE dataset_id = ?", dataset), sample);
            assertEquals(accepted, count("SELECT count(*) FROM batch WHERE dataset_id = ?", dataset), sample);
        }
        if (accepted > 0) {
            given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                    .then().statusCode(201).body("rows", equalTo((int) stored));
        } else {
            given().header("Authorization", TestTokens.analyst()).when().post("/api/datasets/{id}/versions", dataset)
                    .then().statusCode(409);
        }
    }

    private static String detail(String problem) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(problem).path("detail").asText();
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
