package io.counterfact.gateway.stream;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One event of the view-change feed as the gateway passes it on: its SSE id ({@code seq}, the change's place in
 * query-service's {@code view_change}; -1 for an event without one), what it concerns (for the clients' filters)
 * and its JSON exactly as query-service wrote it.
 */
public record ViewChangeEvent(long seq, String kind, String id, String datasetId, String json) {

    public static final long NO_ID = -1;

    /** The heartbeat every client gets while nothing changes. */
    public static final ViewChangeEvent HEARTBEAT = new ViewChangeEvent(NO_ID, "heartbeat", null, null,
            "{\"kind\":\"heartbeat\"}");

    /**
     * More changed than can be replayed to a resuming client: it should read the views again. Its id is the newest
     * change the gateway knows, so that the client's next resume starts from there.
     */
    public static ViewChangeEvent reset(long newestSeq) {
        return new ViewChangeEvent(newestSeq, "reset", null, null, "{\"kind\":\"reset\"}");
    }

    /**
     * @param id   the SSE id field, or null
     * @param data the SSE data field: a view change's JSON
     * @throws IllegalArgumentException if either is not what query-service sends
     */
    public static ViewChangeEvent parse(String id, String data) {
        long seq = NO_ID;
        if (id != null && !id.isEmpty()) {
            try {
                seq = Long.parseLong(id);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("event id '" + id + "' is not a number");
            }
        }
        JsonObject json;
        try {
            json = new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("event data is not a JSON object: " + data);
        }
        String kind = json.getString("kind");
        if (kind == null) {
            throw new IllegalArgumentException("event data has no kind: " + data);
        }
        return new ViewChangeEvent(seq, kind, json.getString("id"), json.getString("datasetId"), data);
    }

    public boolean hasId() {
        return seq != NO_ID;
    }

    /** The SSE frame: {@code id:} (if any) and {@code data:}, ended by a blank line. */
    public String frame() {
        return (hasId() ? "id: " + seq + "\n" : "") + "data: " + json + "\n\n";
    }
}
