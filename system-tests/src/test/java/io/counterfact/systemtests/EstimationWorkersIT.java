package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several estimation-service processes in one consumer group ({@code estimation-workers}) on one database, fed by
 * ingestion-service and read by query-service, all packaged jars run as separate processes against a real
 * PostgreSQL and Kafka. One instance is SIGKILLed mid-drain (a crashed pod), later another is SIGTERMed (a pod
 * scaled in): every command still ends SUCCEEDED, with exactly one result and one completed event.
 *
 * <p>No timing is asserted: the waits are generous bounds for a loaded 2-core CI machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EstimationWorkersIT {

    static final int COMMANDS = Integer.getInteger("systemtests.commands", 40);
    static final int ROWS = Integer.getInteger("systemtests.rows", 5000);
    static final int REPLICATES = Integer.getInteger("systemtests.replicates", 60);
    static final Duration START = Duration.ofMinutes(3);
    static final Duration DRAIN = Duration.ofMinutes(4);
    static final String COMPLETED = EventTypes.ESTIMATION_COMPLETED;

    Suite suite;
    Api api;
    EstimationDb db;
    CommandGroup group;
    ServiceProcess ingestion;
    ServiceProcess query;
    final List<ServiceProcess> workers = new ArrayList<>();
    String datasetId;

    @BeforeAll
    void startSuite() {
        Path root = Suite.rootFromEnvironment();
        Path work = Path.of(System.getProperty("counterfact.work", root.resolve("system-tests/target/system-tests").toString()))
                .resolve("run-" + System.currentTimeMillis());
        suite = Suite.start(root, work);
        try {
            api = new Api(suite.analystAuthorization());
            db = new EstimationDb(suite);
            group = new CommandGroup(suite.bootstrapServers());
            ingestion = suite.start(Suite.Spec.of("ingestion-service", "ingestion-service").jvmArgs(FAST_START));
            query = suite.start(Suite.Spec.of("query-service", "query-service").jvmArgs(FAST_START));
            workers.add(suite.start(worker("estimation-a")));
            workers.add(suite.start(worker("estimation-b")));
            ingestion.awaitReady(START);
            query.awaitReady(START);
            workers.forEach(w -> w.awaitReady(START));

            datasetId = api.uploadDataset(ingestion.baseUrl(), "system-test synthetic " + ROWS,
                    SyntheticData.columns(), SyntheticData.csv(ROWS, 42));
            // the replica lives in the shared estimation DB: both instances must answer READY for it
            for (ServiceProcess w : workers) {
                api.awaitReplicaReady(w.baseUrl(), datasetId, 1, START);
            }
            System.out.printf("suite up: %s, dataset %s (%d rows)%n", suite.processes(), datasetId, ROWS);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("the suite did not start:" + suite.tails(60));
            throw e;
        }
    }

    @AfterAll
    void stopSuite() {
        if (group != null) {
            group.close();
        }
        if (suite != null) {
            suite.close();
        }
    }

    /** As ./run.sh starts the JVMs: start-up matters more here than peak compiled speed. */
    static final String[] FAST_START = {"-XX:TieredStopAtLevel=1"};

    Suite.Spec worker(String name) {
        return Suite.Spec.of("estimation-service", name).jvmArgs(FAST_START)
                .jvmArgs(CommandGroup.clientIdOption(name),
                        // a SIGKILLed member is noticed after the session timeout (Kafka's default 45 s): shorter here
                        "-Dmp.messaging.incoming.estimation-commands.session.timeout.ms=10000",
                        "-Dmp.messaging.incoming.estimation-commands.heartbeat.interval.ms=2000");
    }

    /** The same AIPW for every command: the results must then be identical, whoever ran them and how often. */
    JsonNode request() {
        ObjectNode r = Api.JSON.createObjectNode().put("datasetId", datasetId).put("version", 1).put("method", "aipw")
                .put("estimand", "ATE").put("treatment", "treat").put("outcome", "y");
        var cov = r.putArray("covariates");
        SyntheticData.COVARIATES.forEach(cov::add);
        r.putObject("options").putObject("bootstrap").put("replicates", REPLICATES).put("seed", 7);
        return r;
    }

    List<String> queue(int n, List<ServiceProcess> to) {
        List<String> ids = new ArrayList<>();
        JsonNode request = request();
        for (int i = 0; i < n; i++) {
            ids.add(api.submit(to.get(i % to.size()).baseUrl(), request)); // POST on either instance
        }
        return ids;
    }

    @Test
    @Order(1)
    void sigkillOfAWorkerMidDrainLosesNoCommandAndRecordsEachResultOnce() {
        ServiceProcess survivor = workers.get(0);
        ServiceProcess victim = workers.get(1);
        try {
            awaitBothHoldPartitions(survivor, victim);
            List<String> ids = queue(COMMANDS, workers);
            Set<Integer> victimPartitions = group.partitionsOf(victim.name());
            Set<String> inFlightOnVictim = freezeWhileRunning(victim, ids);
            victim.kill();
            System.out.printf("SIGKILLed %s holding %s RUNNING; statuses then %s%n", victim, inFlightOnVictim,
                    db.statusCounts(ids));

            awaitAllTerminal(ids);
            assertExactlyOnceSucceeded(ids);
            System.out.println("after SIGKILL: " + db.summary(ids) + "; " + droppedDuplicates());
            Map<String, EstimationDb.Estimation> rows = db.estimations(ids);
            assertTrue(inFlightOnVictim.stream().allMatch(id -> rows.get(id).attempts() >= 2),
                    "a command running on the killed instance was not taken over (attempts of " + inFlightOnVictim + ": "
                            + inFlightOnVictim.stream().map(id -> rows.get(id).attempts()).toList() + ")");
            // only the victim's commands ran again: the survivor kept its own partitions through the rebalance
            Map<String, Integer> rerunElsewhere = new TreeMap<>();
            rows.values().stream().filter(e -> e.attempts() > 1 && !victimPartitions.contains(e.commandPartition()))
                    .forEach(e -> rerunElsewhere.put(e.id(), e.attempts()));
            assertTrue(rerunElsewhere.isEmpty(), "commands of partitions the survivor held ran more than once: "
                    + rerunElsewhere + " (" + droppedDuplicates() + ")");
            assertNoResultComputedTwice();
            assertQueryViews(ids);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        }
    }

    @Test
    @Order(2)
    void sigtermOfAWorkerWithCommandsInFlightLosesNoneAndRunsEachOnce() {
        ServiceProcess stays = workers.get(0);
        // a long grace (the default is 20 s): the interrupted commands surely reach a checkpoint and are handed back in it
        ServiceProcess leaving = suite.start(worker("estimation-c").jvmArgs("-Dcounterfact.estimation.shutdown-grace=PT60S"));
        workers.add(leaving);
        try {
            leaving.awaitReady(START);
            awaitBothHoldPartitions(stays, leaving);
            List<ServiceProcess> live = List.of(stays, leaving);
            List<String> ids = queue(COMMANDS, live);
            Set<String> inFlight = awaitRunningOn(leaving, ids);
            leaving.terminate();
            System.out.printf("SIGTERMed %s holding %s RUNNING; statuses then %s%n", leaving, inFlight,
                    db.statusCounts(ids));
            Integer exit = leaving.waitFor(Duration.ofMinutes(2));
            assertNotNull(exit, leaving + " did not exit within 2 minutes of SIGTERM");
            assertFalse(leaving.logText().contains("FATAL"), "a FATAL error while shutting down:\n" + leaving.tail(80));

            awaitAllTerminal(ids);
            assertExactlyOnceSucceeded(ids);
            assertQueryViews(ids);
            System.out.printf("after SIGTERM (exit %d): attempts of the in-flight commands %s; %s; %s%n", exit,
                    inFlight.stream().map(id -> db.estimations(List.of(id)).get(id).attempts()).toList(), db.summary(ids),
                    droppedDuplicates());
            // graceful (issue 24): the commands running at the SIGTERM (those seen above, or started since) were
            // interrupted at a checkpoint and handed back, so they started at most twice (the interrupted start and the
            // one that finished, no result computed twice: below); the others were handed back before they started
            Map<String, Integer> rerun = new TreeMap<>();
            db.estimations(ids).values().stream().filter(e -> e.attempts() < 1 || e.attempts() > 2)
                    .forEach(e -> rerun.put(e.id(), e.attempts()));
            assertTrue(rerun.isEmpty(), "estimations run more often than a graceful scale-in explains: " + rerun);
            assertNoResultComputedTwice();
            List<String> errors = leaving.logText().lines().filter(l -> l.contains(" ERROR ")).toList();
            assertTrue(errors.isEmpty(), leaving.name() + " logged errors while shutting down: " + errors);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        }
    }

    /** How often a worker computed a result another attempt had stored first (wasted work), per instance. */
    String droppedDuplicates() {
        Map<String, Long> counts = new TreeMap<>();
        for (ServiceProcess w : workers) {
            counts.put(w.name(), w.logText().lines().filter(l -> l.contains("this result is dropped")).count());
        }
        return "results computed twice and dropped " + counts;
    }

    void assertNoResultComputedTwice() {
        for (ServiceProcess w : workers) {
            assertEquals(0, w.logText().lines().filter(l -> l.contains("this result is dropped")).count(),
                    w.name() + " computed a result another attempt had already stored: " + droppedDuplicates());
        }
    }

    // ---- steps and assertions ----------------------------------------------------------------------------------

    /** Both instances are members with command partitions (otherwise one could take every command). */
    void awaitBothHoldPartitions(ServiceProcess a, ServiceProcess b) {
        Waits.until(START, Duration.ofMillis(500), () -> {
            Map<String, Set<Integer>> assignment = group.assignment();
            Set<Integer> pa = CommandGroup.partitionsOf(assignment, a.name());
            Set<Integer> pb = CommandGroup.partitionsOf(assignment, b.name());
            return !pa.isEmpty() && !pb.isEmpty() && pa.size() + pb.size() == CommandGroup.PARTITIONS
                    && assignment.keySet().stream().allMatch(id -> id.startsWith(a.name()) || id.startsWith(b.name()));
        }, () -> "both " + a.name() + " and " + b.name() + " hold command partitions: "
                + group.assignment());
    }

    /**
     * Waits until a few commands have succeeded and {@code instance} is running at least one of those left.
     *
     * @return the RUNNING estimations on the partitions {@code instance} holds
     */
    /**
     * Stops (SIGSTOP) {@code instance} while it runs a command and returns the commands it was running then. Read
     * after the freeze, not before: a command seen RUNNING a moment before could have finished before the kill.
     */
    Set<String> freezeWhileRunning(ServiceProcess instance, List<String> ids) {
        for (int tries = 0; ; tries++) {
            awaitRunningOn(instance, ids);
            instance.freeze();
            Waits.sleep(500); // statements already on the wire land in PostgreSQL
            Set<String> running = runningOn(instance, db.estimations(ids));
            if (!running.isEmpty() || tries == 20) {
                assertFalse(running.isEmpty(), instance.name() + " never froze while running a command");
                return running;
            }
            instance.thaw(); // caught between two commands: let it take the next one
        }
    }

    /** The estimations among {@code rows} that are RUNNING on a partition {@code instance} holds. */
    Set<String> runningOn(ServiceProcess instance, Map<String, EstimationDb.Estimation> rows) {
        Set<Integer> held = group.partitionsOf(instance.name());
        Set<String> running = new TreeSet<>();
        rows.values().stream().filter(e -> e.status().equals("RUNNING") && held.contains(e.commandPartition()))
                .forEach(e -> running.add(e.id()));
        return running;
    }

    Set<String> awaitRunningOn(ServiceProcess instance, List<String> ids) {
        Set<String> running = new TreeSet<>();
        Waits.until(DRAIN, Duration.ofMillis(100), () -> {
            Map<String, EstimationDb.Estimation> rows = db.estimations(ids);
            long done = rows.values().stream().filter(e -> e.status().equals("SUCCEEDED")).count();
            if (done == ids.size()) {
                fail("every command finished before " + instance.name() + " could be stopped mid-way: make the "
                        + "estimations longer (-Dsystemtests.replicates)");
            }
            running.clear();
            running.addAll(runningOn(instance, rows));
            return done >= 4 && !running.isEmpty();
        }, () -> instance.name() + " running a command after 4 succeeded: " + db.statusCounts(ids));
        return running;
    }

    void awaitAllTerminal(List<String> ids) {
        Waits.until(DRAIN, Duration.ofMillis(500), () -> {
            Map<String, Integer> counts = db.statusCounts(ids);
            return counts.getOrDefault("SUCCEEDED", 0) + counts.getOrDefault("FAILED", 0) == ids.size();
        }, () -> "all " + ids.size() + " commands finished; statuses " + db.statusCounts(ids));
    }

    /** Every estimation SUCCEEDED with a result, the same result, and exactly one completed event in the outbox. */
    void assertExactlyOnceSucceeded(List<String> ids) {
        Map<String, EstimationDb.Estimation> rows = db.estimations(ids);
        assertEquals(ids.size(), rows.size(), "estimations stored");
        Map<String, String> notSucceeded = rows.values().stream().filter(e -> !e.status().equals("SUCCEEDED"))
                .collect(Collectors.toMap(EstimationDb.Estimation::id, e -> e.status() + ": " + e.error(), (x, y) -> x, TreeMap::new));
        assertTrue(notSucceeded.isEmpty(), "not SUCCEEDED: " + notSucceeded);

        JsonNode first = rows.get(ids.get(0)).result();
        for (EstimationDb.Estimation e : rows.values()) {
            assertNotNull(e.result(), e.id() + " has no result");
            assertTrue(e.result().path("estimate").isNumber(), e.id() + " result without an estimate: " + e.result());
            for (String field : List.of("estimate", "stdError", "ciLower", "ciUpper", "n")) {
                assertEquals(first.path(field).asDouble(), e.result().path(field).asDouble(), 0.0,
                        e.id() + "." + field + " differs from " + ids.get(0) + "'s: the same request gave another result");
            }
            assertEquals(first.path("diagnostics").path("bootstrap"), e.result().path("diagnostics").path("bootstrap"),
                    e.id() + " bootstrap differs");
        }

        Map<String, Integer> completed = db.outboxCounts(ids, COMPLETED);
        Map<String, Integer> wrong = new TreeMap<>();
        for (String id : ids) {
            int n = completed.getOrDefault(id, 0);
            if (n != 1) {
                wrong.put(id, n);
            }
        }
        assertTrue(wrong.isEmpty(), "estimations without exactly one completed outbox row: " + wrong);
        assertTrue(db.outboxCounts(ids, EventTypes.ESTIMATION_FAILED).isEmpty(), "failed events were written");
        // a stopped worker must hand its commands back, not dead-letter them as if they were poison
        assertEquals(0, group.records(Topics.dlq(Topics.ESTIMATION_COMMANDS)), "commands on the dead-letter topic");
        // the survivor's relay publishes what the stopped instance committed but did not publish
        Waits.until(Duration.ofMinutes(1), Duration.ofMillis(500), () -> db.unpublished(ids, COMPLETED) == 0,
                () -> db.unpublished(ids, COMPLETED) + " completed events never published");
    }

    /**
     * query-service, built from the events only: each estimation's completed event applied exactly once (its inbox),
     * its view SUCCEEDED with the result the command side stored, and its GET answering what estimation-service's does.
     */
    void assertQueryViews(List<String> ids) {
        Map<String, EstimationDb.Estimation> stored = db.estimations(ids);
        Waits.until(Duration.ofMinutes(2), Duration.ofMillis(500),
                () -> db.views(ids).values().stream().filter(v -> v.status().equals("SUCCEEDED")).count() == ids.size(),
                () -> "every view SUCCEEDED; view statuses " + db.views(ids).values().stream()
                        .collect(Collectors.groupingBy(EstimationDb.View::status, TreeMap::new, Collectors.counting())));
        Map<String, Integer> inbox = db.queryInboxCounts(ids, COMPLETED);
        Map<String, Integer> wrong = new TreeMap<>();
        for (String id : ids) {
            if (inbox.getOrDefault(id, 0) != 1) {
                wrong.put(id, inbox.getOrDefault(id, 0));
            }
        }
        assertTrue(wrong.isEmpty(), "estimations without exactly one completed event in query-service's inbox: " + wrong);
        Map<String, EstimationDb.View> views = db.views(ids);
        for (String id : ids) {
            EstimationDb.View v = views.get(id);
            assertEquals("SUCCEEDED", v.status(), id + " view");
            assertEquals(stored.get(id).result(), v.result(), id + ": the view's result is not the one the command side stored");
            assertNull(v.error(), id + " view error");
        }
        assertEquals(0, group.records(Topics.dlq(Topics.ESTIMATION_EVENTS)), "estimation events dead-lettered by query-service");
        // the public contract's fields, read side and command side alike
        ServiceProcess commandSide = workers.stream().filter(ServiceProcess::isAlive).findFirst().orElseThrow();
        for (String id : ids.subList(0, Math.min(5, ids.size()))) {
            JsonNode read = api.estimation(query.baseUrl(), id);
            JsonNode command = api.estimation(commandSide.baseUrl(), id);
            assertNotNull(read, id + " unknown to query-service's GET /api/estimations/{id}");
            for (String field : List.of("id", "status", "request", "result", "error")) {
                assertEquals(command.get(field), read.get(field), id + "." + field + ": query-service and estimation-service differ");
            }
        }
    }
}
