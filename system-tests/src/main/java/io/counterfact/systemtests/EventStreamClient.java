package io.counterfact.systemtests;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A server-sent-events client as a browser's {@code EventSource} behaves: when the stream ends or breaks it
 * reconnects (every second), sending {@code Last-Event-ID} if the server gave events an {@code id:}.
 */
public final class EventStreamClient implements AutoCloseable {

    /** One event's JSON data, and which connection (0 = the first) it came on. */
    public record Event(int connection, String id, JsonNode data) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String url;
    private final String authorization;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger withLastEventId = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String lastEventId;
    private volatile Stream<String> current;
    private final Thread thread;

    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(20);

    public EventStreamClient(String url, String authorization) {
        this.url = url;
        this.authorization = authorization;
        this.thread = new Thread(this::run, "sse-" + url);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed.get()) {
            try {
                // as a browser's EventSource gives up on a connection that never answers and tries again: the
                // timeout bounds the wait for the response's headers (the stream itself may then last for ever)
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                        .header("Accept", "text/event-stream").timeout(HEADERS_TIMEOUT).GET();
                if (lastEventId != null) {
                    req.header("Last-Event-ID", lastEventId);
                    withLastEventId.incrementAndGet();
                }
                // a refusal's body is discarded as it comes (nothing to close); the whole attempt is bounded: a
                // reconnect that hangs anywhere is abandoned and made again
                HttpResponse<Stream<String>> r;
                var pending = http.sendAsync(req.build(), info -> info.statusCode() == 200
                        ? HttpResponse.BodySubscribers.ofLines(java.nio.charset.StandardCharsets.UTF_8)
                        : HttpResponse.BodySubscribers.replacing(Stream.<String>empty()));
                try {
                    r = pending.get(HEADERS_TIMEOUT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    pending.cancel(true);
                    refusals.add("no answer within " + HEADERS_TIMEOUT.toSeconds() + " s");
                    continue;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
                if (r.statusCode() != 200) {
                    refusals.add(Integer.toString(r.statusCode()));
                } else {
                    int connection = connections.getAndIncrement();
                    current = r.body();
                    String id = null;
                    StringBuilder data = new StringBuilder();
                    for (var it = r.body().iterator(); it.hasNext() && !closed.get(); ) {
                        String line = it.next();
                        if (line.isEmpty()) {
                            if (data.length() > 0) {
                                events.add(new Event(connection, id, Api.JSON.readTree(data.toString())));
                                if (id != null) {
                                    lastEventId = id;
                                }
                            }
                            id = null;
                            data.setLength(0);
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).trim());
                        } else if (line.startsWith("id:")) {
                            id = line.substring(3).trim();
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // whatever broke this connection, a client tries again: record it and reconnect
                refusals.add(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            } catch (InterruptedException e) {
                return;
            }
            if (!closed.get()) {
                Waits.sleep(1000);
            }
        }
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    /** Streams opened (200); more than 1 means it resumed after a break. */
    public int connections() {
        return connections.get();
    }

    /** Reconnects that sent a Last-Event-ID. */
    public int resumedWithLastEventId() {
        return withLastEventId.get();
    }

    /** Connection attempts that were refused (status) or broke (exception name). */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    public void close() {
        closed.set(true);
        Stream<String> s = current;
        if (s != null) {
            s.close();
        }
        thread.interrupt();
    }
}
