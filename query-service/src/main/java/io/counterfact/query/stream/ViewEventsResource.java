package io.counterfact.query.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.http.LastEventId;
import io.counterfact.common.http.ProblemException;
import io.counterfact.query.estimation.EstimationViews;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/views/events}: the changes of the views as server-sent events (one JSON {@link ViewChange} per
 * event, its {@code seq} as the SSE {@code id:}), optionally only one dataset's or one estimation's.
 *
 * <ul>
 *   <li>With {@code Last-Event-ID} the stream first replays what changed after that id (from {@code view_change});
 *       if more changed than can be replayed, or the id is older than what is kept, a {@code reset} event says so
 *       (read the views again).</li>
 *   <li>With {@code ?tail=N} (no Last-Event-ID) it first replays the newest N changes: the gateway warms its replay
 *       buffer this way when it subscribes.</li>
 *   <li>Otherwise, for one estimation, the stream starts with its current state, so that a client subscribing right
 *       after {@code POST /api/estimations} misses nothing in between.</li>
 * </ul>
 *
 * Clients do not come here directly: the gateway holds one stream per gateway pod and fans it out to its clients
 * (see the gateway's {@code stream} package). A heartbeat every 15 s keeps the connection open through proxies.
 */
@Path("/api/views/events")
@Tag(name = "views")
public class ViewEventsResource {

    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** The most changes one stream replays; past it a reset. */
    static final int MAX_REPLAY = 10_000;
    /** Changes buffered per stream that its client has not read yet; past it the stream ends (it may resume). */
    static final int BUFFERED_PER_STREAM = 10_000;

    @Inject
    ViewChangeListener listener;

    @Inject
    ViewChangeLog log;

    @Inject
    EstimationViews estimations;

    @Inject
    ObjectMapper json;

    @Context
    Sse sse;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: {kind, id, datasetId, status, fraction} per change of the views, each "
            + "with an SSE id; Last-Event-ID resumes")
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "only changes of this dataset and its estimations") @QueryParam("datasetId")
            String datasetId,
            @Parameter(description = "only changes of this estimation") @QueryParam("estimationId")
            String estimationId,
            @Parameter(description = "first the newest N changes (at most " + MAX_REPLAY + ")") @QueryParam("tail")
            String tailParam,
            @Parameter(in = ParameterIn.HEADER, description = "the id of the last event received: the changes after "
                    + "it come first") @HeaderParam("Last-Event-ID") String lastEventId) {
        String dataset = blankToNull(datasetId);
        String estimation = blankToNull(estimationId);
        Long resumeAfter = parseLastEventId(lastEventId);
        int tail = parseTail(tailParam);
        // the live changes are tapped before the past is read, so none falls between the two; the replayed ones
        // are not handed on twice (seq filter)
        Multi<ViewChange> live = listener.tap(BUFFERED_PER_STREAM);
        AtomicLong replayedUpTo = new AtomicLong(-1);
        Multi<ViewChange> first;
        if (resumeAfter != null) {
            first = blocking(() -> withPosition(replayAfter(resumeAfter), Math.min(resumeAfter, newest())));
        } else if (tail > 0) {
            first = blocking(() -> withPosition(log.tail(tail), 0));
        } else if (estimation != null) {
            first = blocking(() -> estimations.find(estimation).map(v -> List.of(new ViewChange(null, "estimation",
                    v.id(), v.datasetId(), v.status(), v.progress() == null ? null : v.progress().fraction())))
                    .orElse(List.of()));
        } else {
            first = Multi.createFrom().empty();
        }
        first = first.invoke(change -> {
            if (change.seq() != null) {
                replayedUpTo.set(change.seq());
            }
        });
        Multi<ViewChange> changes = Multi.createBy().concatenating().streams(first,
                        live.select().where(change -> change.seq() == null || change.seq() > replayedUpTo.get()))
                .select().where(change -> change.concerns(dataset, estimation));
        Multi<ViewChange> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .select().where(tick -> listener.running())
                .map(tick -> ViewChange.heartbeat());
        return Multi.createBy().merging().streams(changes, heartbeats).map(this::event);
    }

    private List<ViewChange> replayAfter(long seq) throws SQLException {
        List<ViewChange> missed = log.after(seq, MAX_REPLAY + 1);
        if (missed.size() > MAX_REPLAY) {
            // more changed than a replay should carry: read the views again, and go on from the newest change
            return List.of(ViewChange.reset(newest()));
        }
        OptionalLong oldest = log.oldest();
        if (oldest.isPresent() && oldest.getAsLong() > seq + 1) {
            // changes after seq may have been pruned already: say so, then replay what is kept
            List<ViewChange> resetThenMissed = new ArrayList<>(missed.size() + 1);
            resetThenMissed.add(ViewChange.reset(seq));
            resetThenMissed.addAll(missed);
            return resetThenMissed;
        }
        return missed;
    }

    /**
     * The newest seq kept (0: none). Below a client's Last-Event-ID only if this database was rebuilt (the views
     * replayed from the events): the position then goes back, and the gateway starts its buffer again.
     */
    private long newest() throws SQLException {
        return log.newest().orElse(0);
    }

    /** The replayed changes, then where the stream now stands (the last of them, or {@code from}). */
    private static List<ViewChange> withPosition(List<ViewChange> replayed, long from) {
        List<ViewChange> all = new ArrayList<>(replayed);
        long position = replayed.stream().mapToLong(ViewChange::seq).max().orElse(from);
        all.add(ViewChange.position(position));
        return all;
    }

    private OutboundSseEvent event(ViewChange change) {
        OutboundSseEvent.Builder event = sse.newEventBuilder();
        if (change.seq() != null) {
            event.id(Long.toString(change.seq()));
        }
        try {
            return event.data(json.writeValueAsString(change)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a view change that Jackson cannot write: " + change, e);
        }
    }

    private interface Read {
        List<ViewChange> get() throws SQLException;
    }

    private static Multi<ViewChange> blocking(Read read) {
        return Multi.createFrom().<ViewChange>emitter(emitter -> {
            try {
                read.get().forEach(emitter::emit);
                emitter.complete();
            } catch (SQLException e) {
                emitter.fail(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static int parseTail(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            int tail = Integer.parseInt(value.trim());
            if (tail >= 0 && tail <= MAX_REPLAY) {
                return tail;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ProblemException.badRequest("query parameter 'tail' must be an integer from 0 to " + MAX_REPLAY
                + ", got '" + value + "'");
    }

    private static Long parseLastEventId(String value) {
        try {
            return LastEventId.parse(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
