package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live updates at the size of a team (issue #25), on the real suite: with the per-key limit plus ten streams open
 * from one key, the limit are 200 and ten 429; meanwhile catalog and estimation reads through the gateway stay fast;
 * a dataset registered reaches every open matching stream within a second, and no stream that does not match;
 * after the streams close nothing stays open upstream; a client that reconnects with Last-Event-ID gets what it
 * missed, none twice. Figures are printed as lines starting {@code STREAMS}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveStreamsIT {

    static final Duration START = Duration.ofMinutes(3);
    static final String KEY = "live-streams-analyst-key";
    static final int PER_KEY = 50;
    static final String[] FAST_START = {"-XX:TieredStopAtLevel=1"};
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Suite suite;
    ServiceProcess gateway;
    ServiceProcess query;
    final Api api = new Api("Bearer " + KEY);

    @BeforeAll
    void startSuite() {
        Path root = Suite.rootFromEnvironment();
        Path work = Path.of(System.getProperty("counterfact.work", root.resolve("system-tests/target/system-tests")
                .toString())).resolve("streams-" + System.currentTimeMillis());
        suite = Suite.start(root, work);
        try {
            ServiceProcess ingestion = suite.start(Suite.Spec.of("ingestion-service", "ingestion-service")
                    .jvmArgs(FAST_START));
            ServiceProcess estimation = suite.start(Suite.Spec.of("estimation-service", "estimation-service")
                    .jvmArgs(FAST_START));
            query = suite.start(Suite.Spec.of("query-service", "query-service").jvmArgs(FAST_START));
            ingestion.awaitReady(START);
            estimation.awaitReady(START);
            query.awaitReady(START);
            gateway = suite.start(Suite.Spec.gateway(ingestion, estimation, query).jvmArgs(FAST_START)
                    .env("COUNTERFACT_TOKEN", KEY).env("COUNTERFACT_VIEWER_TOKEN", "live-streams-viewer-key")
                    .env("COUNTERFACT_STREAMS_PER_KEY", Integer.toString(PER_KEY))
                    .env("COUNTERFACT_STREAMS_FEED_LINGER", "1s")
                    .env("COUNTERFACT_RATE_LIMIT_RPS", "10000").env("COUNTERFACT_RATE_LIMIT_BURST", "10000"));
            gateway.awaitReady(START);
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

    /** One stream: its status, then its events (heartbeats left out) as they arrive, with the arrival time. */
    static final class Stream implements AutoCloseable {
        record Event(long arrivedNanos, String id, JsonNode data) {
        }

        final int status;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final HttpResponse<java.util.stream.Stream<String>> response;

        Stream(HttpResponse<java.util.stream.Stream<String>> response) {
            this.response = response;
            this.status = response.statusCode();
            Thread reader = new Thread(() -> {
                String[] id = {null};
                try {
                    response.body().forEach(line -> {
                        if (line.startsWith("id:")) {
                            id[0] = line.substring(3).trim();
                        } else if (line.startsWith("data:")) {
                            JsonNode data = tree(line.substring(5).trim());
                            if (!"heartbeat".equals(data.path("kind").asText())) {
                                events.add(new Event(System.nanoTime(), id[0], data));
                            }
                            id[0] = null;
                        }
                    });
                } catch (UncheckedIOException closed) {
                    // closed
                }
            }, "stream-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The first event matching, waiting up to {@code wait}; null if none came. */
        Event await(java.util.function.Predicate<Event> wanted, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                Event e = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
                if (e != null && wanted.test(e)) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    CompletableFuture<Stream> open(String query, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/views/events"
                        + query)).header("Authorization", "Bearer " + KEY).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenApply(Stream::new);
    }

    String register(String name) {
        ObjectNode req = Api.JSON.createObjectNode().put("name", name);
        req.putArray("columns").addObject().put("name", "y").put("type", "numeric");
        return api.postJson(gateway.baseUrl() + "/api/datasets", req.toString()).expect(201).body().get("id").asText();
    }

    static void figure(String format, Object... args) {
        System.out.println("STREAMS " + String.format(format, args));
    }

    @Test
    void theLimitPlusTenStreamsFromOneKeyReadsStayFastAndARegistrationReachesEveryMatchingStream() throws Exception {
        String before = api.uploadDataset(gateway.baseUrl(), "streams: before", SyntheticData.columns(),
                SyntheticData.csv(400, 3));
        // the same reads with no stream open: what "fast" means on this machine now
        double[] idleCatalog = time(200, () -> api.get(gateway.baseUrl() + "/api/views/datasets").expect(200));
        List<CompletableFuture<Stream>> opening = new ArrayList<>();
        for (int i = 0; i < PER_KEY + 10; i++) {
            // one in five follows a dataset other than the one registered below: it must not hear of it
            opening.add(open(i % 5 == 0 ? "?datasetId=" + before : "", null));
        }
        List<Stream> streams = new ArrayList<>();
        for (CompletableFuture<Stream> f : opening) {
            streams.add(f.get(30, TimeUnit.SECONDS));
        }
        try {
            Map<Integer, Long> statuses = new java.util.TreeMap<>();
            streams.forEach(s -> statuses.merge(s.status, 1L, Long::sum));
            assertEquals(Map.of(200, (long) PER_KEY, 429, 10L), statuses, "streams of one key");
            List<Stream> open = streams.stream().filter(s -> s.status == 200).toList();

            // reads while the streams are open
            JsonNode command = Api.JSON.createObjectNode().put("datasetId", before).put("version", 1)
                    .put("method", "difference-in-means").put("treatment", "treat").put("outcome", "y");
            String[] accepted = {null};
            Waits.until(Duration.ofMinutes(1), Duration.ofMillis(250), () -> {
                Api.Reply r = api.postJson(gateway.baseUrl() + "/api/estimations", command.toString());
                accepted[0] = r.status() == 202 ? r.body().path("id").asText() : null;
                return accepted[0] != null;
            }, () -> "estimation accepted");
            String estimation = accepted[0];
            double[] catalog = time(200, () -> api.get(gateway.baseUrl() + "/api/views/datasets").expect(200));
            double[] reads = time(200, () -> api.get(gateway.baseUrl() + "/api/estimations/" + estimation)
                    .status());
            figure("reads with %d streams open through the gateway: GET /api/views/datasets p50 %.1f ms p99 %.1f ms; "
                    + "GET /api/estimations/{id} p50 %.1f ms p99 %.1f ms", open.size(), pct(catalog, 50),
                    pct(catalog, 99), pct(reads, 50), pct(reads, 99));
            figure("the same catalog read with no stream open: p50 %.1f ms p99 %.1f ms", pct(idleCatalog, 50),
                    pct(idleCatalog, 99));
            // the goal is p50 < 20 ms; on a machine so loaded that reads are slow without any stream open, the
            // streams must at least not slow them down
            double allowed = Math.max(20, 1.5 * pct(idleCatalog, 50) + 5);
            assertTrue(pct(catalog, 50) < allowed && pct(reads, 50) < allowed, "reads p50 < " + allowed
                    + " ms with streams open");

            // a registration reaches every matching stream within a second
            for (Stream s : open) {
                s.events.clear();
            }
            long registered = System.nanoTime();
            String id = register("streams: announced");
            double inView = -1;
            while (System.nanoTime() - registered < 5_000_000_000L) {
                if (api.get(gateway.baseUrl() + "/api/views/datasets/" + id).status() == 200) {
                    inView = (System.nanoTime() - registered) / 1e6;
                    break;
                }
                Thread.sleep(5);
            }
            figure("the registration was in query-service's view %.0f ms after its 201", inView);
            double worst = 0;
            double firstArrival = Double.MAX_VALUE;
            for (Stream s : open) {
                Stream.Event e = s.await(ev -> id.equals(ev.data().path("id").asText()), Duration.ofSeconds(5));
                if (followsOther(s, streams)) {
                    assertTrue(e == null, "a stream of dataset " + before + " heard of " + id);
                } else {
                    assertNotNull(e, "a stream never heard of dataset " + id);
                    assertNotNull(e.id(), "the change has an SSE id");
                    worst = Math.max(worst, (e.arrivedNanos() - registered) / 1e6);
                    firstArrival = Math.min(firstArrival, (e.arrivedNanos() - registered) / 1e6);
                }
            }
            figure("dataset registered (201) to its change on all %d matching streams: %.0f ms (the first), %.0f ms "
                    + "(the slowest); load average %s", open.stream().filter(s -> !followsOther(s, streams)).count(),
                    firstArrival, worst, loadAverage());
            assertTrue(worst < 1000, "every matching stream within 1 s: " + worst + " ms");
        } finally {
            streams.forEach(Stream::close);
        }
        Waits.until(Duration.ofSeconds(30), Duration.ofMillis(250),
                () -> FaultCampaignIT.heap(gateway, "counterfact_gateway_streams_open") == 0
                        && FaultCampaignIT.heap(query, "counterfact_query_streams_open") == 0,
                () -> "nothing open after the streams closed: gateway "
                        + FaultCampaignIT.heap(gateway, "counterfact_gateway_streams_open") + ", query-service "
                        + FaultCampaignIT.heap(query, "counterfact_query_streams_open"));
    }

    private boolean followsOther(Stream s, List<Stream> all) {
        return all.indexOf(s) % 5 == 0;
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissedNoneTwice() throws Exception {
        String lastSeen;
        try (Stream first = open("", null).get(30, TimeUnit.SECONDS)) {
            assertEquals(200, first.status);
            String seen = register("resume: seen");
            Stream.Event e = first.await(ev -> seen.equals(ev.data().path("id").asText()), Duration.ofSeconds(10));
            assertNotNull(e, "the first change arrived");
            lastSeen = e.id();
        }
        String missed1 = register("resume: missed 1");
        String missed2 = register("resume: missed 2");
        Thread.sleep(1500); // both are in the views (and the gateway's buffer) before the client comes back
        try (Stream resumed = open("", lastSeen).get(30, TimeUnit.SECONDS)) {
            List<Stream.Event> got = new ArrayList<>();
            Stream.Event e;
            while ((e = resumed.await(ev -> true, Duration.ofSeconds(3))) != null) {
                got.add(e);
            }
            List<String> ids = got.stream().map(ev -> ev.data().path("id").asText()).toList();
            assertEquals(List.of(missed1, missed2), ids, "what was missed, in order, once: " + got);
            long[] seqs = got.stream().mapToLong(ev -> Long.parseLong(ev.id())).toArray();
            assertTrue(seqs[0] > Long.parseLong(lastSeen) && seqs[1] > seqs[0], Arrays.toString(seqs));
            figure("reconnect with Last-Event-ID %s: %d missed changes replayed, none twice", lastSeen, got.size());
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static JsonNode tree(String json) {
        try {
            return Api.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Call {
        Object run();
    }

    static double[] time(int n, Call call) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
