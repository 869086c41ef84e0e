package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault campaign of issue 16, on the packaged services as separate processes (one PostgreSQL, one Kafka
 * broker, the gateway in front), each scenario asserting what a user would see:
 *
 * <ol>
 *   <li>the Kafka broker SIGKILLed in the middle of an upload and of a seal, restarted on the same port and data:
 *       every sealed version has exactly its rows, the same checksum at ingestion, in estimation-service's replica
 *       (which recomputes it) and in query-service's view, with no manual step;</li>
 *   <li>PostgreSQL restarted (fast shutdown: every connection cut) under a mixed load through the gateway and
 *       directly: nothing but 2xx and 503 with {@code Retry-After} (problem+json, no internals), every service
 *       recovers without a restart, every accepted command ends SUCCEEDED;</li>
 *   <li>query-service SIGKILLed and restarted during a drain of estimation commands: the gateway's
 *       {@code GET /api/estimations/{id}} is answered by the command side meanwhile, the views catch up, and the
 *       event-stream clients stay connected (the gateway's feed resumes with Last-Event-ID) and see their
 *       estimation end, every change once, in order;</li>
 *   <li>a sustained mixed load ({@code -Dfaults.soak.seconds}, 60 by default; {@code scripts/faults.sh --soak 600}):
 *       zero errors, heap and RSS per service first/last window, p50/p99 per call type.</li>
 * </ol>
 *
 * Figures are printed as lines starting {@code FAULTS} and appended to {@code target/system-tests/faults-report.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultCampaignIT {

    static final int SOAK_SECONDS = Integer.getInteger("faults.soak.seconds", 60);
    /** How long the broker stays down after each kill (scripts/faults.sh: 75 s, past the clients' 60 s API timeout). */
    static final int KAFKA_DOWN_SECONDS = Integer.getInteger("faults.kafka.down.seconds", 3);
    static final Duration START = Duration.ofMinutes(3);
    static final Duration CATCH_UP = Duration.ofMinutes(4);
    static final String KEY = "faults-analyst-key";
    static final String[] FAST_START = {"-XX:TieredStopAtLevel=1"};

    Suite suite;
    Api direct;
    Api viaGateway;
    ServiceProcess ingestion;
    ServiceProcess estimation;
    ServiceProcess query;
    ServiceProcess gateway;
    Suite.Spec querySpec;
    String baseDataset;
    Path report;

    @BeforeAll
    void startSuite() throws IOException {
        Path root = Suite.rootFromEnvironment();
        Path work = Path.of(System.getProperty("counterfact.work", root.resolve("system-tests/target/system-tests").toString()));
        report = work.resolve("faults-report.txt");
        suite = Suite.start(root, work.resolve("faults-" + System.currentTimeMillis()));
        try {
            direct = new Api(suite.analystAuthorization());
            viaGateway = new Api("Bearer " + KEY);
            ingestion = suite.start(Suite.Spec.of("ingestion-service", "ingestion-service").jvmArgs(FAST_START));
            estimation = suite.start(Suite.Spec.of("estimation-service", "estimation-service").jvmArgs(FAST_START));
            querySpec = Suite.Spec.of("query-service", "query-service").jvmArgs(FAST_START);
            query = suite.start(querySpec);
            gateway = suite.start(Suite.Spec.gateway(ingestion, estimation, query).jvmArgs(FAST_START)
                    .env("COUNTERFACT_TOKEN", KEY).env("COUNTERFACT_VIEWER_TOKEN", KEY + "-viewer")
                    .env("COUNTERFACT_RATE_LIMIT_RPS", "100000").env("COUNTERFACT_RATE_LIMIT_BURST", "100000"));
            for (ServiceProcess p : List.of(ingestion, estimation, query, gateway)) {
                p.awaitReady(START);
            }
            baseDataset = viaGateway.uploadDataset(gw(), "faults base", SyntheticData.columns(), SyntheticData.csv(2000, 11));
            direct.awaitReplicaReady(estimation.baseUrl(), baseDataset, 1, START);
            Files.writeString(report, "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            figure("run of %s UTC, %d cores, load average %s", java.time.Instant.now().toString().substring(0, 16),
                    Runtime.getRuntime().availableProcessors(), loadAverage());
        } catch (RuntimeException | AssertionError e) {
            System.err.println("the suite did not start:" + suite.tails(60));
            throw e;
        }
    }

    @AfterAll
    void stopSuite() {
        if (suite != null) {
            suite.close();
        }
    }

    String gw() {
        return gateway.baseUrl();
    }

    // ---- (a) the broker killed mid-upload and mid-seal ---------------------------------------------------------

    @Test
    @Order(1)
    void kafkaKilledMidUploadAndMidSealLosesAndDoublesNothing() {
        try {
            Map<String, String> columns = SyntheticData.columns();
            ObjectNode reg = Api.JSON.createObjectNode().put("name", "faults kafka");
            var cols = reg.putArray("columns");
            columns.forEach((c, t) -> cols.addObject().put("name", c).put("type", t));
            String id = viaGateway.postJson(gw() + "/api/datasets", reg.toString()).expect(201).body().get("id").asText();
            String rows = gw() + "/api/datasets/" + id + "/rows";
            String versions = gw() + "/api/datasets/" + id + "/versions";
            int n1 = 120_000, n2 = 40_000, n3 = 5_000;

            // 1. the broker dies while an upload streams; the version is sealed while it is away
            CompletableFuture<Api.Reply> upload = CompletableFuture.supplyAsync(
                    () -> viaGateway.post(rows, "text/csv", SyntheticData.csv(n1, 101)));
            Waits.sleep(400);
            boolean uploadInFlight = !upload.isDone();
            long down1 = System.nanoTime();
            suite.kafka().kill();
            assertEquals(n1, upload.join().expect(200).body().get("accepted").asLong());
            Api.Reply v1 = viaGateway.post(versions, "application/json", new byte[0]).expect(201);
            assertEquals(n1, v1.body().get("rows").asLong());
            Waits.sleep(KAFKA_DOWN_SECONDS * 1000L);
            suite.kafka().restart();
            double outage1 = (System.nanoTime() - down1) / 1e9;

            // 2. the broker dies while the seal commits and its chunk events are being relayed
            viaGateway.post(rows, "text/csv", SyntheticData.csv(n2, 102)).expect(200);
            CompletableFuture<Api.Reply> seal = CompletableFuture.supplyAsync(
                    () -> viaGateway.post(versions, "application/json", new byte[0]));
            Waits.sleep(60);
            boolean sealInFlight = !seal.isDone();
            long down2 = System.nanoTime();
            suite.kafka().kill();
            Api.Reply v2 = seal.join().expect(201);
            assertEquals(n1 + n2, v2.body().get("rows").asLong());
            Waits.sleep(KAFKA_DOWN_SECONDS * 1000L);
            suite.kafka().restart();
            double outage2 = (System.nanoTime() - down2) / 1e9;

            // 3. a version after the recovery, no fault
            viaGateway.post(rows, "text/csv", SyntheticData.csv(n3, 103)).expect(200);
            Api.Reply v3 = viaGateway.post(versions, "application/json", new byte[0]).expect(201);
            long restarted = System.nanoTime();

            Map<Integer, Long> expectedRows = Map.of(1, (long) n1, 2, (long) n1 + n2, 3, (long) n1 + n2 + n3);
            Map<Integer, String> sealed = Map.of(1, v1.body().get("checksum").asText(), 2,
                    v2.body().get("checksum").asText(), 3, v3.body().get("checksum").asText());
            // ingestion's own record of the versions
            JsonNode dataset = viaGateway.get(gw() + "/api/datasets/" + id).expect(200).body();
            assertEquals(3, dataset.get("versions").size(), dataset.toString());
            for (JsonNode v : dataset.get("versions")) {
                int version = v.get("version").asInt();
                assertEquals(expectedRows.get(version), v.get("rows").asLong(), "ingestion rows of v" + version);
                assertEquals(sealed.get(version), v.get("checksum").asText(), "ingestion checksum of v" + version);
            }
            // estimation-service's replica: READY means it recomputed every batch digest and the chained checksum
            for (int version = 1; version <= 3; version++) {
                direct.awaitReplicaReady(estimation.baseUrl(), id, version, CATCH_UP);
                JsonNode replica = direct.get(estimation.baseUrl() + "/api/replica/datasets/" + id + "/versions/" + version)
                        .expect(200).body();
                assertEquals(expectedRows.get(version), replica.get("rows").asLong(), "replica rows of v" + version);
                assertEquals(sealed.get(version), replica.get("checksum").asText(), "replica checksum of v" + version);
                assertEquals(replica.get("rowGroupsExpected").asInt(), replica.get("rowGroupsPresent").asInt(),
                        "row groups of v" + version + ": " + replica);
            }
            double replicaSeconds = (System.nanoTime() - restarted) / 1e9;
            // query-service's view
            AtomicReference<JsonNode> overview = new AtomicReference<>();
            Waits.until(CATCH_UP, Duration.ofMillis(500), () -> {
                Api.Reply r = viaGateway.get(gw() + "/api/views/datasets/" + id);
                overview.set(r.body());
                return r.status() == 200 && r.body().path("versions").size() == 3;
            }, () -> "query-service's view of " + id + " lists 3 versions: " + overview.get());
            for (JsonNode v : overview.get().get("versions")) {
                int version = v.get("version").asInt();
                assertEquals(expectedRows.get(version), v.get("rows").asLong(), "view rows of v" + version);
                assertEquals(sealed.get(version), v.get("checksum").asText(), "view checksum of v" + version);
            }
            assertEquals(n1 + n2 + n3, overview.get().get("rows").asLong());
            long listed = catalog().stream().filter(item -> id.equals(item.path("id").asText())).count();
            assertEquals(1, listed, "the catalog lists the dataset exactly once");

            figure("(a) Kafka SIGKILLed mid-upload (upload in flight: %s; %d rows) and mid-seal (seal in flight: %s); "
                            + "outages %.1f s and %.1f s incl. restart", uploadInFlight, n1, sealInFlight, outage1, outage2);
            figure("(a) 3 versions (%d, %d, %d rows): ingestion, replica (READY, checksum recomputed) and view agree on "
                    + "rows and checksum; every version READY %.1f s after the last seal; catalog lists it once",
                    n1, n1 + n2, n1 + n2 + n3, replicaSeconds);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        }
    }

    List<JsonNode> catalog() {
        List<JsonNode> items = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 100; page++) {
            JsonNode body = viaGateway.get(gw() + "/api/views/datasets?limit=100" + (after == null ? "" : "&after=" + after))
                    .expect(200).body();
            body.get("items").forEach(items::add);
            JsonNode next = body.get("next");
            if (next == null || next.isNull() || next.asText().isEmpty()) {
                break;
            }
            after = next.asText();
        }
        return items;
    }

    // ---- (b) PostgreSQL restarted under load -------------------------------------------------------------------

    @Test
    @Order(2)
    void postgresRestartedUnderLoadAnswers503WithRetryAfterAndRecovers() {
        try {
            List<String> accepted = new CopyOnWriteArrayList<>();
            AtomicReference<String> lastAccepted = new AtomicReference<>();
            String request = lightRequest(baseDataset).toString();
            Load load = new Load(FaultCampaignIT::okOr503WithRetryAfter);
            for (var target : Map.of("gateway", viaGateway, "direct", direct).entrySet()) {
                boolean g = target.getKey().equals("gateway");
                Api api = target.getValue();
                String ing = g ? gw() : ingestion.baseUrl();
                String est = g ? gw() : estimation.baseUrl();
                String qry = g ? gw() : query.baseUrl();
                String via = " (" + target.getKey() + ")";
                load.add("GET /api/views/datasets" + via, 100, () -> api.get(qry + "/api/views/datasets?limit=5"))
                        .add("GET /api/datasets/{id}" + via, 100, () -> api.get(ing + "/api/datasets/" + baseDataset))
                        .add("POST /api/estimations" + via, 250, () -> {
                            Api.Reply r = api.postJson(est + "/api/estimations", request);
                            if (r.status() == 202) {
                                accepted.add(r.body().get("id").asText());
                                lastAccepted.set(r.body().get("id").asText());
                            }
                            return r;
                        })
                        .add("GET /api/estimations/{id}" + via, 100, () -> {
                            String id = lastAccepted.get();
                            return id == null ? null : api.get(est + "/api/estimations/" + id);
                        });
            }
            load.start();
            Waits.sleep(4000);
            long down = System.nanoTime();
            suite.postgres().restart(Duration.ofSeconds(3));
            long up = System.nanoTime();
            // keep the load on until every call type has answered 2xx for 8 s in a row (at most 2 minutes)
            long deadline = up + Duration.ofMinutes(2).toNanos();
            long lastNot2xx;
            while (true) {
                Waits.sleep(500);
                lastNot2xx = load.samples().stream().filter(s -> s.status() < 200 || s.status() > 299)
                        .mapToLong(Load.Sample::atMillis).max().orElse(0);
                long sinceBad = (System.nanoTime() - load.startNanos()) / 1_000_000 - lastNot2xx;
                if (sinceBad > 8000 && System.nanoTime() - up > 5_000_000_000L || System.nanoTime() > deadline) {
                    break;
                }
            }
            load.stop();
            long downAt = (down - load.startNanos()) / 1_000_000;
            long upAt = (up - load.startNanos()) / 1_000_000;
            List<Load.Sample> unavailable = load.samples().stream().filter(s -> s.status() == 503).toList();
            System.out.println(load.table());

            assertEquals(0, load.badCount(), "answers other than 2xx or 503 with Retry-After and a clean problem: "
                    + load.badKept().stream().map(FaultCampaignIT::describe).toList());
            assertFalse(unavailable.isEmpty(), "no request saw the database away: the restart was not under load");
            long recoveredAt = lastNot2xx;
            assertTrue(recoveredAt - upAt < 60_000, "still answering 503 " + (recoveredAt - upAt) + " ms after the "
                    + "database was back");
            // afterwards everything works, without restarting a service
            for (ServiceProcess p : List.of(ingestion, estimation, query, gateway)) {
                assertTrue(p.isAlive(), p + " died");
            }
            String fresh = viaGateway.uploadDataset(gw(), "after the database restart", SyntheticData.columns(),
                    SyntheticData.csv(1000, 12));
            direct.awaitReplicaReady(estimation.baseUrl(), fresh, 1, START);
            String after = viaGateway.submit(gw(), lightRequest(fresh));
            accepted.add(after);
            Map<String, String> statuses = awaitViewsTerminal(accepted);
            Map<String, Long> counts = statuses.values().stream().collect(Collectors.groupingBy(s -> s, TreeMap::new,
                    Collectors.counting()));
            assertEquals(Map.of("SUCCEEDED", (long) accepted.size()), counts,
                    "every accepted command (202), before, during and after the restart, ends SUCCEEDED in the view");

            Map<String, Long> by503 = unavailable.stream().collect(Collectors.groupingBy(Load.Sample::type, TreeMap::new,
                    Collectors.counting()));
            figure("(b) PostgreSQL fast-shutdown + 3 s down + start, under 8 call types (4 through the gateway, 4 direct): "
                            + "%d answers, %d x 503 with Retry-After (%s), 0 others; restart took %.1f s; last 503 %.1f s "
                            + "after the server was back; %d commands accepted, all SUCCEEDED in the view",
                    load.count(), unavailable.size(), by503, (up - down) / 1e9, Math.max(0, recoveredAt - upAt) / 1000.0,
                    accepted.size());
            figure("(b) 503 window: first at +%.1f s, last at +%.1f s from the shutdown", unavailable.stream()
                    .mapToLong(Load.Sample::atMillis).min().orElse(downAt) / 1000.0 - downAt / 1000.0,
                    recoveredAt / 1000.0 - downAt / 1000.0);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        }
    }

    static boolean okOr503WithRetryAfter(Load.Sample s) {
        if (s.status() >= 200 && s.status() < 300) {
            return true;
        }
        if (s.status() != 503 || s.reply() == null) {
            return false;
        }
        Api.Reply r = s.reply();
        String type = r.headers().getOrDefault("content-type", List.of("")).get(0);
        String text = r.text() == null ? "" : r.text();
        return r.headers().containsKey("retry-after") && type.startsWith("application/problem+json")
                && !text.contains("Exception") && !text.contains("\tat ") && !text.contains("io.counterfact")
                && !text.contains("org.postgresql") && !text.contains("io.agroal");
    }

    static String describe(Load.Sample s) {
        return s.type() + " at " + s.atMillis() + " ms: " + (s.reply() == null ? s.failure()
                : s.status() + " " + s.reply().headers().getOrDefault("retry-after", List.of()) + " " + abbreviate(s.reply().text()));
    }

    static String abbreviate(String text) {
        return text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    // ---- (c) query-service killed during a drain ---------------------------------------------------------------

    @Test
    @Order(3)
    void queryServiceKilledDuringADrainFallsBackCatchesUpAndStreamsResume() {
        int n = 60;
        EventStreamClient datasetStream = null;
        EventStreamClient estimationStream = null;
        try {
            String auth = "Bearer " + KEY;
            datasetStream = new EventStreamClient(gw() + "/api/views/events?datasetId=" + baseDataset, auth);
            List<String> ids = new ArrayList<>();
            // 30 bootstrap replicates: a drain of some seconds at least, so that query-service dies in the middle of it
            ObjectNode request = (ObjectNode) lightRequest(baseDataset);
            request.putObject("options").putObject("bootstrap").put("replicates", 100).put("seed", 3);
            for (int i = 0; i < n; i++) {
                ids.add(viaGateway.submit(gw(), request));
            }
            String watched = ids.get(n - 1);
            estimationStream = new EventStreamClient(gw() + "/api/views/events?estimationId=" + watched, auth);
            // a part of the drain is done and in the views when query-service dies
            // query-service dies once a few commands are done (read from estimation-service's database: one query)
            EstimationDb db = new EstimationDb(suite);
            Waits.until(START, Duration.ofMillis(200), () -> db.statusCounts(ids).getOrDefault("SUCCEEDED", 0) >= 5,
                    () -> "5 commands SUCCEEDED: " + db.statusCounts(ids));
            query.freeze(); // stops where it is: what the command side had done at that instant, read without a race
            Map<String, Integer> atKill = new TreeMap<>(db.statusCounts(ids));
            int eventsBefore = datasetStream.events().size();
            long killed = System.nanoTime();
            query.kill();
            assertTrue(atKill.getOrDefault("SUCCEEDED", 0) < n, "query-service was killed after the drain, not during "
                    + "it: " + atKill);

            // meanwhile the gateway answers estimation reads from the command side
            Map<Integer, Integer> fallbackStatuses = new TreeMap<>();
            Map<String, Integer> sources = new TreeMap<>();
            for (String id : ids) {
                Api.Reply r = viaGateway.get(gw() + "/api/estimations/" + id);
                fallbackStatuses.merge(r.status(), 1, Integer::sum);
                sources.merge(String.valueOf(r.headers().getOrDefault("x-counterfact-source", List.of("(view)")).get(0)), 1,
                        Integer::sum);
            }
            assertEquals(Map.of(200, n), fallbackStatuses, "GET /api/estimations/{id} while query-service is down");
            assertEquals(Map.of("estimation-service", n), sources, "answered by the command side, marked so");
            Api.Reply views = viaGateway.get(gw() + "/api/views/datasets");
            assertEquals(503, views.status(), "a view while query-service is down: " + views.text());
            assertTrue(views.headers().containsKey("retry-after"), "503 with Retry-After: " + views.headers());

            query = suite.start(querySpec, query.port());
            query.awaitReady(START);
            double downSeconds = (System.nanoTime() - killed) / 1e9;
            long restarted = System.nanoTime();
            Map<String, String> statuses = awaitViewsTerminal(ids);
            double catchUp = (System.nanoTime() - restarted) / 1e9;
            assertEquals(Set.of("SUCCEEDED"), Set.copyOf(statuses.values()), "every estimation SUCCEEDED in the view: "
                    + statuses);
            // through the gateway, the view answers again once query-service's circuit closes
            Waits.until(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
                Api.Reply r = viaGateway.get(gw() + "/api/estimations/" + watched);
                return r.status() == 200 && !r.headers().containsKey("x-counterfact-source")
                        && "SUCCEEDED".equals(r.body().path("status").asText());
            }, () -> "the gateway reads " + watched + " from the view again");
            // the live clients saw the end of what they follow: the gateway's feed from query-service broke and came
            // back with Last-Event-ID (ViewChangeHub), the clients stayed connected and lost nothing
            EventStreamClient es = estimationStream;
            Waits.until(Duration.ofSeconds(60), Duration.ofMillis(300), () -> es.events().stream()
                            .anyMatch(e -> "SUCCEEDED".equals(e.data().path("status").asText())),
                    () -> "the stream of " + watched + " told SUCCEEDED: " + es.events() + ", connections "
                            + es.connections() + ", refused " + es.refusals());
            EventStreamClient ds = datasetStream;
            Waits.until(Duration.ofSeconds(30), Duration.ofMillis(300), () -> ds.events().size() > eventsBefore,
                    () -> "the dataset stream goes on after the kill: " + ds.events().size() + " events");
            List<Long> seen = ds.events().stream().map(EventStreamClient.Event::id).filter(java.util.Objects::nonNull)
                    .map(Long::valueOf).toList();
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "every change once, in order: " + seen);
            }
            long idsSent = datasetStream.events().stream().filter(e -> e.id() != null).count();
            figure("(c) query-service SIGKILLed with the command side at %s of %d commands; down %.1f s (restart "
                            + "until ready); meanwhile GET /api/estimations/{id} through the gateway: %s, answered by %s; "
                            + "GET /api/views/datasets 503 + Retry-After", atKill, n, downSeconds, fallbackStatuses, sources);
            figure("(c) views caught up (all %d SUCCEEDED in the view) %.1f s after query-service was ready; the streams "
                            + "went on (dataset stream: %d connection(s), %d events before the kill, %d in all, ids strictly "
                            + "increasing; estimation stream: SUCCEEDED); events carrying an SSE id: %d (Last-Event-ID resumes: %d)",
                    n, catchUp, datasetStream.connections(), eventsBefore, datasetStream.events().size(),
                    idsSent, datasetStream.resumedWithLastEventId());
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        } finally {
            if (datasetStream != null) {
                datasetStream.close();
            }
            if (estimationStream != null) {
                estimationStream.close();
            }
        }
    }

    /** Waits until query-service's view has every estimation in a final state; @return their statuses */
    Map<String, String> awaitViewsTerminal(List<String> ids) {
        Map<String, String> statuses = new ConcurrentHashMap<>();
        Set<String> terminal = new java.util.HashSet<>(List.of("SUCCEEDED", "FAILED", "CANCELLED")); // contains(null)
        Waits.until(CATCH_UP, Duration.ofSeconds(1), () -> {
            for (String id : ids) {
                if (terminal.contains(statuses.get(id))) {
                    continue;
                }
                Api.Reply r = direct.get(query.baseUrl() + "/api/estimations/" + id);
                if (r.status() == 200) {
                    statuses.put(id, r.body().path("status").asText());
                }
            }
            return ids.stream().allMatch(id -> terminal.contains(statuses.get(id)));
        }, () -> "every estimation final in the view; now " + statuses.values().stream()
                .collect(Collectors.groupingBy(s -> s, Collectors.counting())) + " of " + ids.size());
        return statuses;
    }

    /** A light AIPW (2,000 rows, no bootstrap): the drain is about the plumbing, not the engine. */
    static JsonNode lightRequest(String datasetId) {
        ObjectNode r = Api.JSON.createObjectNode().put("datasetId", datasetId).put("version", 1).put("method", "aipw")
                .put("estimand", "ATE").put("treatment", "treat").put("outcome", "y");
        var cov = r.putArray("covariates");
        SyntheticData.COVARIATES.forEach(cov::add);
        return r;
    }

    // ---- (d) sustained mixed load --------------------------------------------------------------------------------

    @Test
    @Order(4)
    void sustainedMixedLoadHasNoErrorsAndFlatMemory() {
        try {
            List<String> accepted = new CopyOnWriteArrayList<>();
            String request = lightRequest(baseDataset).toString();
            ObjectNode reg = Api.JSON.createObjectNode().put("name", "faults soak");
            var cols = reg.putArray("columns");
            SyntheticData.columns().forEach((c, t) -> cols.addObject().put("name", c).put("type", t));
            String soakDataset = viaGateway.postJson(gw() + "/api/datasets", reg.toString()).expect(201).body().get("id").asText();
            AtomicInteger seed = new AtomicInteger(1000);
            AtomicInteger sealedVersions = new AtomicInteger();
            Load load = new Load(s -> s.status() >= 200 && s.status() < 300);
            load.add("POST /api/datasets/{id}/rows (2,000 rows)", 3000,
                            () -> viaGateway.post(gw() + "/api/datasets/" + soakDataset + "/rows", "text/csv",
                                    SyntheticData.csv(2000, seed.incrementAndGet())))
                    .add("POST /api/datasets/{id}/versions", 6000, () -> {
                        Api.Reply r = viaGateway.post(gw() + "/api/datasets/" + soakDataset + "/versions",
                                "application/json", new byte[0]);
                        if (r.status() == 201) {
                            sealedVersions.incrementAndGet();
                        }
                        return r.status() == 409 ? null : r; // nothing appended since the last seal: not a call
                    })
                    .add("POST /api/datasets", 10_000, () -> viaGateway.postJson(gw() + "/api/datasets", reg.toString()))
                    .add("POST /api/estimations", 200, () -> {
                        Api.Reply r = viaGateway.postJson(gw() + "/api/estimations", request);
                        if (r.status() == 202) {
                            accepted.add(r.body().get("id").asText());
                        }
                        return r;
                    })
                    .add("GET /api/estimations/{id}", 100, () -> {
                        if (accepted.isEmpty()) {
                            return null;
                        }
                        int i = accepted.size() - 1 - ThreadLocalRandom.current().nextInt(Math.min(50, accepted.size()));
                        return viaGateway.get(gw() + "/api/estimations/" + accepted.get(i));
                    })
                    .add("GET /api/views/datasets", 250, () -> viaGateway.get(gw() + "/api/views/datasets?limit=20"))
                    .add("GET /api/views/datasets/{id}", 250, () -> viaGateway.get(gw() + "/api/views/datasets/" + baseDataset))
                    .add("GET /api/views/estimations", 500,
                            () -> viaGateway.get(gw() + "/api/views/estimations?datasetId=" + baseDataset + "&limit=20"))
                    .add("GET /api/datasets/{id}", 300, () -> viaGateway.get(gw() + "/api/datasets/" + baseDataset));

            // a scenario before may have left a circuit open for a few seconds: start on a healthy suite
            Waits.until(Duration.ofSeconds(60), Duration.ofMillis(500),
                    () -> viaGateway.get(gw() + "/api/views/datasets?limit=1").status() == 200
                            && viaGateway.get(gw() + "/api/datasets/" + baseDataset).status() == 200,
                    () -> "the suite answers through the gateway before the soak");
            List<ServiceProcess> services = List.of(gateway, ingestion, estimation, query);
            Map<String, List<long[]>> memory = new LinkedHashMap<>(); // per service: {t ms, rss, heap used, live}
            services.forEach(p -> memory.put(p.name(), new ArrayList<>()));
            load.start();
            long t0 = System.nanoTime();
            long end = t0 + SOAK_SECONDS * 1_000_000_000L;
            while (System.nanoTime() < end) {
                long t = (System.nanoTime() - t0) / 1_000_000;
                for (ServiceProcess p : services) {
                    memory.get(p.name()).add(new long[] {t, rss(p.pid()), heap(p, "jvm_memory_used_bytes{area=\"heap\""),
                            heap(p, "jvm_gc_live_data_size_bytes")});
                }
                Waits.sleep(Math.min(5000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
            load.stop();
            double seconds = (System.nanoTime() - t0) / 1e9;
            String table = load.table();
            System.out.println(table);
            assertEquals(0, load.badCount(), "errors under the sustained load: "
                    + load.badKept().stream().map(FaultCampaignIT::describe).toList());
            long drainStart = System.nanoTime();
            Map<String, String> statuses = awaitViewsTerminal(accepted);
            double drain = (System.nanoTime() - drainStart) / 1e9;
            assertEquals(Set.of("SUCCEEDED"), Set.copyOf(statuses.values()));
            assertTrue(accepted.size() >= Math.min(100, SOAK_SECONDS), "hundreds of commands: " + accepted.size());

            figure("(d) sustained mixed load for %.0f s through the gateway: %d calls, 0 errors; %d estimation commands "
                            + "(all SUCCEEDED in the view, drained %.1f s after the load stopped), %d versions sealed",
                    seconds, load.count(), accepted.size(), drain, sealedVersions.get());
            for (String line : table.strip().split("\n")) {
                figure("(d)   %s", line);
            }
            long window = Math.min(60_000, SOAK_SECONDS * 1000L / 4);
            List<String> growth = new ArrayList<>();
            for (var e : memory.entrySet()) {
                List<long[]> samples = e.getValue();
                long last = samples.get(samples.size() - 1)[0];
                double[] first = mean(samples.stream().filter(s -> s[0] <= window).toList());
                double[] lastW = mean(samples.stream().filter(s -> s[0] >= last - window).toList());
                figure("(d)   %-18s RSS %5.0f -> %5.0f MB, heap used %5.0f -> %5.0f MB, live after GC %5.0f -> %5.0f MB "
                                + "(mean of the first / last %d s)", e.getKey(), first[1] / 1e6, lastW[1] / 1e6,
                        first[2] / 1e6, lastW[2] / 1e6, first[3] / 1e6, lastW[3] / 1e6, window / 1000);
                if (lastW[1] > first[1] * 1.25 + 64e6) {
                    growth.add(e.getKey() + " RSS " + (long) (first[1] / 1e6) + " -> " + (long) (lastW[1] / 1e6) + " MB");
                }
                if (first[3] > 0 && lastW[3] > first[3] * 1.5 + 32e6) {
                    growth.add(e.getKey() + " live heap " + (long) (first[3] / 1e6) + " -> " + (long) (lastW[3] / 1e6) + " MB");
                }
            }
            assertTrue(growth.isEmpty(), "memory grew under a steady load: " + growth);
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FAILED; service logs:" + suite.tails(80));
            throw e;
        }
    }

    static double[] mean(List<long[]> samples) {
        double[] m = new double[4];
        for (long[] s : samples) {
            for (int i = 0; i < 4; i++) {
                m[i] += s[i];
            }
        }
        for (int i = 0; i < 4; i++) {
            m[i] /= Math.max(1, samples.size());
        }
        return m;
    }

    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended
        }
        return -1;
    }

    static final HttpClient METRICS = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The sum of a Micrometer gauge's series on the service's /q/metrics (-1 if it has none). */
    static long heap(ServiceProcess p, String prefix) {
        try {
            HttpResponse<String> r = METRICS.send(HttpRequest.newBuilder(URI.create(p.baseUrl() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            boolean found = false;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(prefix)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? (long) sum : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    void figure(String format, Object... args) {
        String line = "FAULTS " + String.format(Locale.ROOT, format, args);
        System.out.println(line);
        try {
            Files.writeString(report, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not write " + report + ": " + e);
        }
    }
}
