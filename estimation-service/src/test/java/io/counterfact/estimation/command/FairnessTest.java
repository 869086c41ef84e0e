package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.infra.Sql;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fairness (issue 24): two slots, at most one of them heavy. Two heavy commands (aipw, 10,000 bootstrap replicates on
 * 40,000 rows: minutes) take the heavy slot and the heavy lane; 20 difference-in-means commands posted meanwhile all
 * succeed quickly in the slot left to light commands while the heavy one still runs. Before the lanes, the two heavy
 * commands held both slots and the light ones stayed QUEUED until one of them ended.
 */
@QuarkusTest
@TestProfile(FairnessTest.TwoSlotsOneHeavy.class)
class FairnessTest {

    public static final class TwoSlotsOneHeavy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("counterfact.estimation.concurrency", "2", "counterfact.estimation.heavy-slots", "1",
                    "counterfact.estimation.heavy-seconds", "10");
        }
    }

    static final int LIGHT = 20;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore replica;

    @Inject
    DataSource dataSource;

    @Inject
    RunningCommands runs;

    private static Response post(ObjectNode body) {
        return given().header("Authorization", TestTokens.analyst()).contentType("application/json").body(body.toString())
                .when().post("/api/estimations");
    }

    private long millis(String sql, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void lightCommandsSucceedQuicklyWhileHeavyOnesRunAndTheHeavyOnesAreCancelled() throws Exception {
        String dataset = LongCommands.seed(bootstrap, replica);
        given().header("Authorization", TestTokens.viewer()).when().get("/api/estimations/est_warm_up").then().statusCode(404);

        List<String> heavy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Response accepted = post(LongCommands.heavy(json, dataset));
            accepted.then().statusCode(202);
            double estimated = accepted.jsonPath().getDouble("estimatedSeconds");
            assertTrue(estimated > 10, "the test's heavy command is heavy: estimated " + estimated + " s");
            heavy.add(accepted.jsonPath().getString("id"));
        }
        // one heavy command runs, the other waits in the heavy lane (one heavy slot)
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> heavy.stream().anyMatch(id -> runs.ids().contains(id)));
        Thread.sleep(1_000);
        String first = heavy.stream().filter(id -> runs.ids().contains(id)).findFirst().orElseThrow();
        String second = heavy.get(0).equals(first) ? heavy.get(1) : heavy.get(0);
        assertEquals("RUNNING", LongCommands.status(dataSource, first));
        assertEquals("QUEUED", LongCommands.status(dataSource, second), "at most one heavy command at a time here");

        long postedAt = System.nanoTime();
        List<String> light = new ArrayList<>();
        for (int i = 0; i < LIGHT; i++) {
            light.add(LongCommands.post(LongCommands.quick(json, dataset)));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> light.stream()
                .allMatch(id -> "SUCCEEDED".equals(LongCommands.status(dataSource, id))));
        long allDoneMillis = (System.nanoTime() - postedAt) / 1_000_000;
        assertEquals("RUNNING", LongCommands.status(dataSource, first), "the heavy command still runs");
        assertEquals("QUEUED", LongCommands.status(dataSource, second), "the second heavy command still waits");

        // queued (accepted at POST) to finished, as the database recorded them
        List<Long> latencies = new ArrayList<>();
        for (String id : light) {
            latencies.add(millis("SELECT round(extract(epoch FROM finished_at - created_at) * 1000) FROM estimation "
                    + "WHERE id = ?", id));
            assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", id), "run once");
        }
        latencies.sort(null);
        long p50 = latencies.get(latencies.size() / 2 - 1);
        long p95 = latencies.get((int) Math.ceil(latencies.size() * 0.95) - 1);
        System.out.printf("fairness: %d difference-in-means commands posted while an aipw (10,000 replicates, %d rows) "
                        + "ran and another waited: queued-to-finished p50 %d ms, p95 %d ms, max %d ms; all %d done %d ms "
                        + "after the first POST%n", LIGHT, LongCommands.ROWS, p50, p95, latencies.get(latencies.size() - 1),
                LIGHT, allDoneMillis);
        assertTrue(p95 < 10_000, "p95 " + p95 + " ms");

        // cancel the running heavy command: CANCELLED, and the waiting one starts in the heavy slot it left
        long before = System.nanoTime();
        given().header("Authorization", TestTokens.analyst()).when().delete("/api/estimations/{id}", first).then()
                .statusCode(202).body("status", equalTo("CANCELLED"));
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> !runs.ids().contains(first));
        long stoppedMillis = (System.nanoTime() - before) / 1_000_000;
        System.out.printf("fairness: the heavy command's run stopped %d ms after its DELETE%n", stoppedMillis);
        assertEquals("CANCELLED", LongCommands.status(dataSource, first));
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> runs.ids().contains(second));
        given().header("Authorization", TestTokens.analyst()).when().delete("/api/estimations/{id}", second).then()
                .statusCode(202).body("status", equalTo("CANCELLED"));
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> !runs.ids().contains(second));
        assertEquals("CANCELLED", LongCommands.status(dataSource, second));

        // both acknowledged from the heavy lane: the group commits past them; each started once
        CommandTopic.awaitConsumed(bootstrap, CommandTopic.find(bootstrap, first));
        CommandTopic.awaitConsumed(bootstrap, CommandTopic.find(bootstrap, second));
        for (String id : heavy) {
            assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", id));
            assertEquals(0, Sql.count(dataSource, "SELECT count(*) FROM estimation WHERE id = ? AND result IS NOT NULL", id));
        }
    }
}
