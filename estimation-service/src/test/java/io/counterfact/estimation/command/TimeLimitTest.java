package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.EventSchemas;
import io.counterfact.common.events.EventTypes;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.infra.Sql;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.counterfact.infra.TestTokens;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * counterfact.estimation.time-limit, set to 3 s here, with one heavy command at a time (one heavy slot) so that a freed
 * slot shows: the next heavy command starts once the first one's time limit ended it.
 */
@QuarkusTest
@TestProfile(TimeLimitTest.ThreeSeconds.class)
class TimeLimitTest {

    public static final class ThreeSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("counterfact.estimation.time-limit", "PT3S", "counterfact.estimation.concurrency", "2",
                    "counterfact.estimation.heavy-slots", "1");
        }
    }

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

    @Test
    void aRunPastTheTimeLimitEndsFailedSayingSoIsNotRunAgainAndFreesItsSlot() throws Exception {
        String dataset = LongCommands.seed(bootstrap, replica);
        // RestAssured's first call in a JVM takes seconds: not the POST whose run has 3 s
        given().header("Authorization", TestTokens.viewer()).when().get("/api/estimations/est_warm_up").then().statusCode(404);
        String heavy = LongCommands.post(LongCommands.heavy(json, dataset));
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> !"QUEUED".equals(LongCommands.status(dataSource, heavy)));
        // queued behind it: the only heavy slot is the first heavy command's until its time limit frees it
        String next = LongCommands.post(LongCommands.heavy(json, dataset));

        LongCommands.awaitStatus(dataSource, heavy, "FAILED");
        String error = LongCommands.text(dataSource, "SELECT error FROM estimation WHERE id = ?", heavy);
        assertTrue(error.startsWith("stopped after 3 s"), error);
        assertTrue(error.contains("fewer bootstrap replicates"), error);
        assertFalse(error.contains("Exception") || error.contains("io.counterfact"), error);
        OffsetDateTime started = OffsetDateTime.parse(LongCommands.text(dataSource,
                "SELECT to_char(started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.USOF') || ':00' FROM estimation WHERE id = ?", heavy));
        OffsetDateTime finished = OffsetDateTime.parse(LongCommands.text(dataSource,
                "SELECT to_char(finished_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.USOF') || ':00' FROM estimation WHERE id = ?", heavy));
        long ranMillis = Duration.between(started, finished).toMillis();
        System.out.printf("time limit 3 s: the run ended FAILED after %d ms%n", ranMillis);
        assertTrue(ranMillis >= 3_000 && ranMillis < 8_000, "ran " + ranMillis + " ms under a 3 s limit");

        // its slot is free: the heavy command queued behind it runs, after it (one heavy command at a time here)
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> !"QUEUED".equals(LongCommands.status(dataSource, next)));
        assertTrue(Sql.count(dataSource, "SELECT count(*) FROM estimation q, estimation h WHERE q.id = ? AND h.id = ? "
                + "AND q.started_at >= h.finished_at", next, heavy) == 1, "the next command started once the slot was free");
        LongCommands.cancelAsAnotherPodWould(dataSource, next); // done with it: it would run for its 3 s
        assertFalse(runs.ids().contains(heavy));
        // acknowledged, never run again; one FAILED event, not poison
        CommandTopic.awaitConsumed(bootstrap, CommandTopic.find(bootstrap, heavy));
        assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", heavy));
        assertEquals(1, Sql.count(dataSource, "SELECT count(*) FROM outbox WHERE record_key = ? AND event_type = ?",
                heavy, EventTypes.ESTIMATION_FAILED));
        var failed = json.readTree(LongCommands.text(dataSource, "SELECT convert_from(payload, 'UTF8') FROM outbox "
                + "WHERE record_key = ? AND event_type = '" + EventTypes.ESTIMATION_FAILED + "'", heavy));
        assertEquals(List.of(), EventSchemas.violations(failed));
        assertFalse(failed.get("data").get("poison").asBoolean());
        assertEquals(error, failed.get("data").get("reason").asText());
    }
}
