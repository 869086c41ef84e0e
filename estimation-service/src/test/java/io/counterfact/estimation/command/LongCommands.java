package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.estimation.replica.ReplicaVersion;
import io.counterfact.estimation.replica.Seed;
import io.counterfact.infra.TestTokens;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** A generated dataset and a command on it that runs for minutes: what the cancellation and time-limit tests stop. */
final class LongCommands {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    /** Rows of the generated dataset: enough for each replicate to be a few hundred milliseconds of work. */
    static final int ROWS = 40_000;

    private LongCommands() {
    }

    /** Seeds a generated dataset of {@link #ROWS} rows and waits for its replica. @return its id */
    static String seed(String bootstrap, ReplicaStore replica) throws Exception {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        String ds = Seed.generated(json, bootstrap, ROWS, 24);
        await().atMost(PATIENCE).until(() -> replica.find(ds, 1)
                .map(v -> v.status() == ReplicaVersion.Status.READY).orElse(false));
        return ds;
    }

    /** aipw with 5 cross-fitting folds and 10,000 bootstrap replicates on 40,000 rows: many minutes on 2 cores. */
    static ObjectNode heavy(ObjectMapper json, String datasetId) {
        ObjectNode body = quick(json, datasetId).put("method", "aipw");
        body.putArray("covariates").add("x1").add("x2").add("x3").add("x4");
        body.putObject("options").put("crossFitFolds", 5).putObject("bootstrap").put("replicates", 10_000);
        return body;
    }

    /** difference-in-means: milliseconds. */
    static ObjectNode quick(ObjectMapper json, String datasetId) {
        return json.createObjectNode().put("datasetId", datasetId).put("version", 1).put("method", "difference-in-means")
                .put("treatment", "t").put("outcome", "y");
    }

    static String post(ObjectNode body) {
        return given().header("Authorization", TestTokens.analyst()).contentType("application/json").body(body.toString())
                .when().post("/api/estimations").then().statusCode(202).extract().path("id");
    }

    /** The stored status (the command side's own table). */
    static String status(DataSource dataSource, String id) {
        return text(dataSource, "SELECT status FROM estimation WHERE id = ?", id);
    }

    static String text(DataSource dataSource, String sql, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitStatus(DataSource dataSource, String id, String status) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> status.equals(status(dataSource, id)));
    }

    /** A row as POST stores it, without its command on the topic (the test delivers it, or not). @return its id */
    static String insertQueued(DataSource dataSource, String datasetId, ObjectNode request) throws Exception {
        String id = "est_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO estimation (id, dataset_id, version, request, status) VALUES (?, ?, 1, ?::jsonb, 'QUEUED')")) {
            s.setString(1, id);
            s.setString(2, datasetId);
            s.setString(3, request.toString());
            s.executeUpdate();
        }
        return id;
    }

    /** What another pod's DELETE leaves in the database (without this pod's at-once path). */
    static void cancelAsAnotherPodWould(DataSource dataSource, String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE estimation SET status = 'CANCELLED', finished_at = now() WHERE id = ? "
                        + "AND status IN ('QUEUED', 'RUNNING')")) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }
}
