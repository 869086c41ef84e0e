package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.events.EventTypes;
import io.counterfact.estimation.replica.ReplicaStore;
import io.counterfact.infra.Sql;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's shutdown (SIGTERM) with a long command running: the run is interrupted at its next checkpoint and
 * handed back (its row QUEUED again, its offset not committed), neither cancelled nor failed, so the pod leaves
 * quickly. Its own profile: the shutdown observer leaves this instance of the service stopping for good.
 */
@QuarkusTest
@TestProfile(ShutdownHandBackTest.OwnInstance.class)
class ShutdownHandBackTest {

    public static final class OwnInstance implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("counterfact.estimation.shutdown-grace", "PT30S");
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

    @Inject
    EstimationWorker worker;

    @Test
    void aRunningCommandIsInterruptedAndHandedBackNotCancelledNorFailed() throws Exception {
        String dataset = LongCommands.seed(bootstrap, replica);
        String id = LongCommands.post(LongCommands.heavy(json, dataset));
        await().atMost(LongCommands.PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> runs.ids().contains(id) && "RUNNING".equals(LongCommands.status(dataSource, id)));
        Thread.sleep(1_000);
        CommandTopic.Position command = CommandTopic.find(bootstrap, id);

        long before = System.nanoTime();
        worker.stop(new ShutdownEvent());
        long millis = (System.nanoTime() - before) / 1_000_000;
        System.out.printf("shutdown with a long command running: the worker let go of it after %d ms (grace 30 s)%n",
                millis);
        assertTrue(millis < 5_000, "the shutdown waited " + millis + " ms for the running command");
        assertFalse(runs.ids().contains(id));

        try {
            assertEquals("QUEUED", LongCommands.status(dataSource, id), "back in the queue for the next worker");
            assertEquals(1, Sql.count(dataSource, "SELECT attempts FROM estimation WHERE id = ?", id));
            for (String type : new String[] {EventTypes.ESTIMATION_FAILED, EventTypes.ESTIMATION_CANCELLED,
                    EventTypes.ESTIMATION_COMPLETED}) {
                assertEquals(0, Sql.count(dataSource, "SELECT count(*) FROM outbox WHERE record_key = ? AND event_type = ?",
                        id, type), type);
            }
            // not acknowledged: the group never commits past it, so the worker that takes the partition runs it
            Thread.sleep(3_000);
            long committed = CommandTopic.committed(bootstrap, command);
            assertTrue(committed <= command.offset(), "committed " + committed + " past the handed-back command at "
                    + command.offset());
        } finally {
            // the next instance of the service would run it again for minutes: it is done with here
            LongCommands.cancelAsAnotherPodWould(dataSource, id);
        }
    }
}
