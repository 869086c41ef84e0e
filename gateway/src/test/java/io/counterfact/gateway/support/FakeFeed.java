package io.counterfact.gateway.support;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * query-service's change feed as the gateway's hub sees it: {@code GET /api/views/events} answers an event stream
 * the test writes to ({@link #push}), starting with the replay the hub asked for (tail or Last-Event-ID, from what
 * was pushed before) and a position event; {@code GET /api/estimations/{id}} answers the views set with
 * {@link #view}; anything else the echo.
 */
public final class FakeFeed implements FakeService.Answer {

    private final FakeService service;
    private final FakeService.Answer echo;
    private final List<HttpServerResponse> open = new CopyOnWriteArrayList<>();
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private final List<String> feedRequests = new CopyOnWriteArrayList<>();
    private final Map<String, JsonObject> views = new ConcurrentHashMap<>();
    /** Like query-service's view_change.seq: it never goes back, whichever test pushes. */
    private static final AtomicLong SEQ = new AtomicLong();

    public FakeFeed(FakeService service) {
        this.service = service;
        this.echo = service.echo();
        service.answer(this);
    }

    /** Heartbeats on every open feed (query-service sends one every 15 s; the test profile's hub expects 1 s). */
    public void heartbeat() {
        open.forEach(r -> r.write("data: {\"kind\":\"heartbeat\"}\n\n"));
    }

    @Override
    public void accept(HttpServerRequest request, FakeService.Received received) {
        String path = request.path();
        if (path.equals("/api/views/events")) {
            feedRequests.add(request.uri() + " Last-Event-ID=" + request.getHeader("Last-Event-ID"));
            HttpServerResponse response = request.response().setChunked(true)
                    .putHeader("Content-Type", "text/event-stream");
            long after = request.getHeader("Last-Event-ID") == null ? 0
                    : Long.parseLong(request.getHeader("Last-Event-ID"));
            long position = after;
            for (String change : changes) {
                long id = new JsonObject(change).getLong("seq");
                if (id > after) {
                    response.write(frame(id, change));
                    position = id;
                }
            }
            response.write(frame(position, "{\"kind\":\"position\"}"));
            open.add(response);
            response.closeHandler(v -> open.remove(response));
        } else if (path.startsWith("/api/estimations/") && views.containsKey(path.substring(17))) {
            request.response().putHeader("Content-Type", "application/json").end(views.get(path.substring(17))
                    .encode());
        } else if (path.startsWith("/api/estimations/")) {
            request.response().setStatusCode(404).end();
        } else {
            echo.accept(request, received);
        }
    }

    /** A new change (kind, id, datasetId, status) with the next seq, to every open feed; returns its seq. */
    public long push(String kind, String id, String datasetId, String status) {
        long next = SEQ.incrementAndGet();
        JsonObject change = new JsonObject().put("kind", kind).put("id", id).put("datasetId", datasetId)
                .put("status", status);
        String stored = change.copy().put("seq", next).encode();
        changes.add(stored);
        open.forEach(r -> r.write(frame(next, change.encode())));
        return next;
    }

    public void view(String estimationId, JsonObject view) {
        views.put(estimationId, view);
    }

    /** Breaks every open feed connection (query-service died). */
    public void breakConnections() {
        open.forEach(HttpServerResponse::reset);
    }

    public int openFeeds() {
        return open.size();
    }

    /** The feed requests the hub made: URI and Last-Event-ID. */
    public List<String> feedRequests() {
        return feedRequests;
    }

    public FakeService service() {
        return service;
    }

    private static String frame(long id, String json) {
        return "id: " + id + "\ndata: " + json + "\n\n";
    }
}
