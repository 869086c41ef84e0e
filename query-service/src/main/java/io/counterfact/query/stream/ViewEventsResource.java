package io.counterfact.query.stream;

import io.counterfact.query.estimation.EstimationViews;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;

/**
 * {@code GET /api/views/events}: the changes of the views as server-sent events (one JSON {@link ViewChange} per
 * event), optionally only one dataset's or one estimation's. For one estimation the stream starts with its current
 * state, so that a client subscribing right after {@code POST /api/estimations} misses nothing in between.
A heartbeat every 15 s keeps the connection open through proxies with idle timeouts.
 */
@Path("/api/views/events")
@Tag(name = "views")
public class ViewEventsResource {

    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    @Inject
    ViewChangeListener listener;

    @Inject
    EstimationViews estimations;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: {kind, id, datasetId, status, fraction} per change of the views")
    public Multi<ViewChange> stream(
            @Parameter(description = "only changes of this dataset and its estimations") @QueryParam("datasetId")
            String datasetId,
            @Parameter(description = "only changes of this estimation") @QueryParam("estimationId")
            String estimationId) {
        String dataset = blankToNull(datasetId);
        String estimation = blankToNull(estimationId);
        Multi<ViewChange> live = listener.changes().select().where(change -> change.concerns(dataset, estimation));
        Multi<ViewChange> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .select().first(tick -> listener.running())
                .map(tick -> ViewChange.heartbeat());
        Multi<ViewChange> current = estimation == null ? Multi.createFrom().empty()
                : Multi.createFrom().optional(() -> estimations.find(estimation).map(v -> new ViewChange("estimation",
                        v.id(), v.datasetId(), v.status(), v.progress() == null ? null : v.progress().fraction())))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        // merged, not concatenated: the live changes are subscribed to before the current state is read, so none
        // falls between the two
        return Multi.createBy().merging().streams(live, current, heartbeats);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
