package io.counterfact.gateway;

import io.counterfact.gateway.stream.ViewChangeHub;
import io.counterfact.gateway.support.Await;
import io.counterfact.gateway.support.FakeFeed;
import io.counterfact.gateway.support.FakeServicePorts;
import io.counterfact.gateway.support.GatewayTestBase;
import io.counterfact.gateway.support.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/views/events} through the gateway: one feed from query-service per gateway, fanned out to every
 * client through its filter; a per-key limit (5 in the test profile); resuming from the gateway's replay buffer (8
 * in the test profile); clients that stay connected while the feed breaks and comes back.
 */
@QuarkusTest
@WithTestResource(FakeServicePorts.class)
class EventStreamTest extends GatewayTestBase {

    @Inject
    ViewChangeHub hub;

    FakeFeed feed;
    final List<SseClient> clients = new ArrayList<>();
    ScheduledExecutorService heartbeats;

    @BeforeEach
    void feed() {
        feed = new FakeFeed(services.query);
        heartbeats = Executors.newSingleThreadScheduledExecutor();
        heartbeats.scheduleAtFixedRate(feed::heartbeat, 300, 300, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void closeClients() {
        heartbeats.shutdownNow();
        clients.forEach(SseClient::close);
        Await.until(() -> hub.open() == 0, Duration.ofSeconds(10), "streams still open: " + hub.open());
        // the feed is closed a linger (0.2 s in the test profile) after the last client left
        Await.until(() -> feed.openFeeds() == 0, Duration.ofSeconds(10), "the feed is still open upstream");
    }

    SseClient open(String query, String key, String lastEventId) {
        SseClient client = SseClient.open(gatewayUrl() + "/api/views/events" + query, key, lastEventId);
        clients.add(client);
        return client;
    }

    @Test
    void everyClientGetsTheChangesItAskedForOnceInOrderOverOneFeed() {
        SseClient all = open("", VIEWER_KEY, null);
        SseClient first = open("?datasetId=d1", VIEWER_KEY, null);
        SseClient second = open("?datasetId=d2", ANALYST_KEY, null);
        assertEquals(200, all.status);
        assertEquals("text/event-stream", all.header("Content-Type"));

        long a = feed.push("dataset", "d1", "d1", null);
        long b = feed.push("estimation", "e1", "d2", "QUEUED");
        long c = feed.push("estimation", "e2", "d1", "RUNNING");

        assertEquals(List.of(a, b, c), List.of(all.next().id(), all.next().id(), all.next().id()));
        SseClient.Event d1 = first.next();
        assertEquals(a, d1.id());
        assertEquals("d1", d1.data().getString("id"));
        assertEquals(c, first.next().id());
        SseClient.Event e1 = second.next();
        assertEquals(b, e1.id());
        assertEquals("QUEUED", e1.data().getString("status"));
        assertTrue(all.drain(Duration.ofMillis(300)).isEmpty(), "nothing twice");
        assertTrue(first.drain(Duration.ZERO).isEmpty() && second.drain(Duration.ZERO).isEmpty());
        assertEquals(1, feed.feedRequests().size(), "three clients, one feed: " + feed.feedRequests());
    }

    @Test
    void aKeyMayHaveFiveStreamsOpenAndOrdinaryReadsAreAnsweredMeanwhile() {
        for (int i = 0; i < 5; i++) {
            assertEquals(200, open("", VIEWER_KEY, null).status);
        }
        SseClient sixth = open("", VIEWER_KEY, null);
        assertEquals(429, sixth.status, sixth.body);
        assertEquals("10", sixth.header("Retry-After"));
        assertTrue(sixth.body.contains("5 event streams open"), sixth.body);
        assertEquals(200, open("", ANALYST_KEY, null).status, "another key is not held back");

        viewer().when().get("/api/views/datasets").then().statusCode(200).body(containsString("query-service"));

        clients.get(0).close();
        Await.until(() -> hub.open() == 5, Duration.ofSeconds(5), "the closed stream is released");
        assertEquals(200, open("", VIEWER_KEY, null).status, "a closed stream frees its place");
    }

    @Test
    void aClientThatResumesGetsWhatItMissedFromTheGatewayThenLiveChanges() {
        long seen;
        try (SseClient before = open("", VIEWER_KEY, null)) {
            feed.push("dataset", "d1", "d1", null);
            seen = before.next().id();
        }
        long missed1 = feed.push("estimation", "e1", "d1", "QUEUED");
        long missed2 = feed.push("estimation", "e1", "d1", "RUNNING");

        SseClient resumed = open("", VIEWER_KEY, Long.toString(seen));
        assertEquals(missed1, resumed.next().id());
        assertEquals(missed2, resumed.next().id());
        long live = feed.push("estimation", "e1", "d1", "SUCCEEDED");
        assertEquals(live, resumed.next().id());
        assertTrue(resumed.drain(Duration.ofMillis(300)).isEmpty(), "none twice");
    }

    @Test
    void aClientThatMissedMoreThanTheBufferHoldsIsToldToReadTheViewsAgain() {
        SseClient watcher = open("", VIEWER_KEY, null);
        assertEquals(200, watcher.status);
        long first = feed.push("dataset", "d1", "d1", null);
        long newest = 0;
        for (int i = 0; i < 12; i++) { // the test profile's buffer holds 8
            newest = feed.push("dataset", "d" + i, "d" + i, null);
        }
        long last = newest;
        for (int i = 0; i < 13; i++) {
            watcher.next(); // all of them have passed the gateway
        }
        SseClient resumed = open("", VIEWER_KEY, Long.toString(first));
        SseClient.Event reset = resumed.next();
        assertEquals("reset", reset.kind());
        assertEquals(last, reset.id(), "resume from the newest change after reading the views");
    }

    @Test
    void whenTheFeedBreaksClientsStayConnectedAndGetTheChangesMadeMeanwhile() {
        SseClient client = open("?datasetId=d9", VIEWER_KEY, null);
        long before = feed.push("dataset", "d9", "d9", null);
        assertEquals(before, client.next().id());

        services.query.stop(); // query-service is gone: its connections break, new ones are refused
        Await.until(() -> feed.openFeeds() == 0, Duration.ofSeconds(5), "feed not broken");
        long meanwhile = feed.push("estimation", "e9", "d9", "SUCCEEDED"); // committed while the gateway was away
        services.query.start();

        SseClient.Event resumed = client.next();
        assertEquals(meanwhile, resumed.id(), "replayed by query-service to the re-opened feed, the client never left");
        String reopened = feed.feedRequests().get(feed.feedRequests().size() - 1);
        assertTrue(reopened.endsWith("Last-Event-ID=" + before), "the feed resumes where it was: " + reopened);
        long after = feed.push("estimation", "e9", "d9", "SUCCEEDED");
        assertEquals(after, client.next().id());
    }

    @Test
    void aClientFollowingOneEstimationStartsWithItsCurrentState() {
        feed.view("e5", new JsonObject().put("id", "e5").put("datasetId", "d5").put("status", "RUNNING")
                .put("progress", new JsonObject().put("fraction", 0.4)));
        SseClient client = open("?estimationId=e5", VIEWER_KEY, null);
        SseClient.Event current = client.next();
        assertEquals("RUNNING", current.data().getString("status"));
        assertEquals(0.4, current.data().getDouble("fraction"));
        assertNull(current.id(), "the current state is not a change of the feed: no id");
        feed.push("estimation", "e6", "d5", "QUEUED");
        long mine = feed.push("estimation", "e5", "d5", "SUCCEEDED");
        assertEquals(mine, client.next().id(), "only this estimation's changes follow");
    }

    @Test
    void aLastEventIdThatIsNotAnIdIsRefused() {
        viewer().header("Last-Event-ID", "soon").when().get("/api/views/events").then().statusCode(400)
                .body(containsString("Last-Event-ID"));
    }
}
