package io.counterfact.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.infra.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;


import static io.counterfact.query.EstimationEventsConsumerTest.send;
import static io.counterfact.query.EstimationFixtures.accepted;
import static io.counterfact.query.EstimationFixtures.estimationId;
import static io.counterfact.query.EstimationFixtures.progress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The view-change stream is resumable: every change has an SSE id (its place in view_change, in commit order); a
 * client that reconnects with Last-Event-ID first gets exactly what it missed, none twice, then a position event,
 * then the live changes. The gateway's feed relies on all of it (see the gateway's ViewChangeHub).
 */
@QuarkusTest
class ViewEventsResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/api/views/events")
    URI events;

    record Event(Long id, JsonNode data) {
        String kind() {
            return data.path("kind").asText();
        }
    }

    /** An open stream: its events (heartbeats left out) in a queue. */
    final class Stream implements AutoCloseable {
        final BlockingQueue<Event> received = new LinkedBlockingQueue<>();
        final HttpResponse<java.util.stream.Stream<String>> response;

        Stream(String query, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(events + query))
                    .header("Authorization", TestTokens.viewer()).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
            Thread reader = new Thread(() -> read(response.body()));
            reader.setDaemon(true);
            reader.start();
        }

        private void read(java.util.stream.Stream<String> lines) {
            Long[] id = {null};
            try {
                lines.forEach(line -> {
                    if (line.startsWith("id:")) {
                        id[0] = Long.parseLong(line.substring(3).trim());
                    } else if (line.startsWith("data:")) {
                        JsonNode data = tree(line.substring(5).trim());
                        if (!"heartbeat".equals(data.path("kind").asText())) {
                            received.add(new Event(id[0], data));
                        }
                        id[0] = null;
                    }
                });
            } catch (UncheckedIOException closed) {
                // the test closed the stream
            }
        }

        Event next() throws InterruptedException {
            Event e = received.poll(20, TimeUnit.SECONDS);
            assertNotNull(e, "no event within 20 s");
            return e;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissedOnceThenTheLiveChanges() throws Exception {
        String datasetId = EstimationEventsConsumerTest.datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        long lastSeen;
        try (Stream first = new Stream("?estimationId=" + id, null)) {
            send(accepted(id, datasetId, "aipw", t0));
            Event queued = first.next();
            assertEquals("QUEUED", queued.data().path("status").asText(), queued.toString());
            assertNotNull(queued.id(), "a change has an SSE id: " + queued);
            lastSeen = queued.id();
        }
        // while the client is away
        send(progress(id, 1, 0.25, "a quarter", t0.plusSeconds(1)));
        send(progress(id, 1, 0.5, "half", t0.plusSeconds(2)));
        DatasetEventsConsumerTest.eventually(() -> EstimationEventsConsumerTest.estimation(id)
                .body("progress.fraction", org.hamcrest.Matchers.equalTo(0.5f)));

        try (Stream resumed = new Stream("?estimationId=" + id, Long.toString(lastSeen))) {
            Event a = resumed.next();
            Event b = resumed.next();
            Event position = resumed.next();
            assertEquals(List.of(0.25, 0.5), List.of(a.data().path("fraction").asDouble(),
                    b.data().path("fraction").asDouble()), "the missed changes, in order: " + a + ", " + b);
            assertTrue(lastSeen < a.id() && a.id() < b.id(), "ids grow: " + lastSeen + ", " + a + ", " + b);
            assertEquals("position", position.kind(), position.toString());
            assertEquals(b.id(), position.id(), "the replay ends where the stream stands");

            send(progress(id, 1, 0.75, "three quarters", t0.plusSeconds(3)));
            Event live = resumed.next();
            assertEquals(0.75, live.data().path("fraction").asDouble(), live.toString());
            assertTrue(live.id() > b.id(), "live after the replay: " + live);
            assertTrue(resumed.received.isEmpty(), "nothing twice: " + resumed.received);
        }
    }

    @Test
    void tailStartsWithTheNewestChangesAndAPosition() throws Exception {
        String datasetId = EstimationEventsConsumerTest.datasetWithVersion();
        String id = estimationId();
        Instant t0 = Instant.now().minusSeconds(60);
        send(accepted(id, datasetId, "ipw", t0));
        send(progress(id, 1, 0.5, "half", t0.plusSeconds(1)));
        DatasetEventsConsumerTest.eventually(() -> EstimationEventsConsumerTest.estimation(id)
                .body("progress.fraction", org.hamcrest.Matchers.equalTo(0.5f)));
        try (Stream tail = new Stream("?tail=2", null)) {
            List<Event> firstThree = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                firstThree.add(tail.next());
            }
            assertEquals("position", firstThree.get(2).kind(), firstThree.toString());
            assertTrue(firstThree.get(0).id() < firstThree.get(1).id()
                    && firstThree.get(1).id().equals(firstThree.get(2).id()), firstThree.toString());
        }
    }

    @Test
    void aLastEventIdThatIsNotAnIdIsRefusedNamingTheHeader() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(events.toString()))
                .header("Authorization", TestTokens.viewer()).header("Accept", "text/event-stream")
                .header("Last-Event-ID", "yesterday").build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().contains("Last-Event-ID"), response.body());
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
