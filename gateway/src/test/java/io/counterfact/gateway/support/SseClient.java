package io.counterfact.gateway.support;

import io.vertx.core.json.JsonObject;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A test's event-stream client: opens {@code GET /api/views/events}, queues each event but heartbeats. */
public final class SseClient implements AutoCloseable {

    public record Event(Long id, JsonObject data) {
        public String kind() {
            return data.getString("kind");
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final int status;
    public final String body;
    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile int heartbeats;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.status = response.statusCode();
        if (status == 200) {
            this.body = null;
            Thread reader = new Thread(this::read, "sse-client");
            reader.setDaemon(true);
            reader.start();
        } else {
            this.body = String.join("\n", response.body().toList());
        }
    }

    public static SseClient open(String url, String key, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (Exception e) {
            throw new IllegalStateException("could not open " + url, e);
        }
    }

    private void read() {
        Long[] id = {null};
        try {
            response.body().forEach(line -> {
                if (line.startsWith("id:")) {
                    id[0] = Long.parseLong(line.substring(3).trim());
                } else if (line.startsWith("data:")) {
                    JsonObject data = new JsonObject(line.substring(5).trim());
                    if ("heartbeat".equals(data.getString("kind"))) {
                        heartbeats++;
                    } else {
                        events.add(new Event(id[0], data));
                    }
                    id[0] = null;
                }
            });
        } catch (UncheckedIOException closed) {
            // closed by the test or the server
        }
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next event, waiting up to 10 s. */
    public Event next() {
        try {
            Event e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no event within 10 s");
            }
            return e;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Events that arrive within {@code wait} (none expected: an empty list). */
    public List<Event> drain(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        List<Event> rest = new ArrayList<>();
        events.drainTo(rest);
        return rest;
    }

    public int heartbeats() {
        return heartbeats;
    }

    @Override
    public void close() {
        if (status == 200) {
            response.body().close();
        }
    }
}
