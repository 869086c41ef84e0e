package io.counterfact.query.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One change of the views, as streamed to clients: {@code kind} is {@code estimation} (with its new {@code status}
 * and {@code fraction}) or {@code dataset} (its catalog entry or overview changed); {@code heartbeat} keeps idle
 * connections open through proxies; {@code reset} tells a resuming client that more changed than can be replayed,
 * so it should read the views again; {@code position} ends a replay. {@code seq} is the change's place in {@code view_change}: the SSE {@code id:}
 * of the event, not part of its JSON (null for heartbeats and for the current state a stream starts with).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ViewChange(@JsonProperty(access = JsonProperty.Access.WRITE_ONLY) Long seq, String kind, String id,
                         String datasetId, String status, Double fraction) {

    static ViewChange heartbeat() {
        return new ViewChange(null, "heartbeat", null, null, null, null);
    }

    /** More changed after the client's Last-Event-ID than can be replayed; {@code seq}: the newest change. */
    static ViewChange reset(long seq) {
        return new ViewChange(seq, "reset", null, null, null, null);
    }

    /**
     * Ends a replay (Last-Event-ID or tail): the stream stands at {@code seq}, every later change follows live. The
     * gateway's feed waits for it before it answers resuming clients.
     */
    static ViewChange position(long seq) {
        return new ViewChange(seq, "position", null, null, null, null);
    }

    boolean concerns(String datasetFilter, String estimationFilter) {
        if ("heartbeat".equals(kind) || "reset".equals(kind) || "position".equals(kind)) {
            return true;
        }
        if (estimationFilter != null && !("estimation".equals(kind) && estimationFilter.equals(id))) {
            return false;
        }
        return datasetFilter == null || datasetFilter.equals(datasetId);
    }
}
