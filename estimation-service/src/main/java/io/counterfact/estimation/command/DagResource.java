package io.counterfact.estimation.command;

import io.counterfact.common.auth.ChangesNothing;
import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.InvalidSpecException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code POST /api/dags/analyze}: adjustment sets, front door, instruments, implied independences of a DAG.
 *
 * <p>The analysis (parsing included) runs on {@link DagAnalysisPool}'s threads, never on the event
 * loop, within a time budget ({@code counterfact.dags.time-budget}, COUNTERFACT_DAGS_TIME_BUDGET, 2 s
 * by default) counted from the request's arrival: listings still running when it is spent stop with
 * {@code "truncatedBy": "time"}, so a costly graph answers 200 in about the budget instead of holding
 * a thread until the gateway gives up. The pool's queue full answers 503 with Retry-After.
 */
@Path("/api/dags/analyze")
@Tag(name = "dags")
public class DagResource {

    @Inject
    CausalEngine engine;

    @Inject
    DagAnalysisPool pool;

    @ConfigProperty(name = "counterfact.dags.time-budget", defaultValue = "PT2S")
    Duration budget;

    @POST
    @ChangesNothing // computed from the request alone: open to viewers
    // the body (at most the 1 MiB JSON limit) is read on a worker thread: the body-limit filter counts it through a
    // blocking stream, which the event loop may not read; the analysis itself then runs on the pool
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Analyze a DAG (dagitty text or JSON) for a treatment and an outcome",
            description = "Body {\"dag\", \"treatment\", \"outcome\"}: dag is dagitty text or {\"nodes\", \"edges\", "
                    + "\"bidirected\"}. Listings stop at 1,000 entries or when the request's time budget "
                    + "(counterfact.dags.time-budget, 2 s by default) is spent, and say so per listing: "
                    + "adjustmentSets.allTruncated (always present) with adjustmentSets.truncatedBy; "
                    + "adjustmentSets.minimalTruncated with adjustmentSets.minimalTruncatedBy; frontDoorTruncated with "
                    + "frontDoorTruncatedBy; instrumentsTruncated with instrumentsTruncatedBy; "
                    + "impliedIndependencesTruncated (always present) with the top-level truncatedBy. Each truncatedBy "
                    + "is \"count\" or \"time\" and, like minimalTruncated, frontDoorTruncated and "
                    + "instrumentsTruncated, is present only when that listing stopped early. minimal: [] means that no "
                    + "adjustment set exists (one minimal set is always found when any exists).")
    @APIResponse(responseCode = "200", description = "{nodes, edges, adjustmentSets: {minimal, all, allTruncated, "
            + "[truncatedBy], [minimalTruncated, minimalTruncatedBy]}, frontDoor, [frontDoorTruncated, "
            + "frontDoorTruncatedBy], instruments: [{instrument, given}], [instrumentsTruncated, instrumentsTruncatedBy], "
            + "impliedIndependences: [{x, y, given}], impliedIndependencesTruncated, [truncatedBy]}; the bracketed keys "
            + "only when that listing stopped early, by \"count\" (1,000 entries) or \"time\" (the budget)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON))
    @APIResponse(responseCode = "400", description = "a syntax error, a cycle or an unknown node, named in detail",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "the body is larger than the JSON limit (1 MiB by default)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "too many analyses waiting; retry after the given seconds",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Map<String, Object>> analyze(Map<String, Object> body) {
        if (body == null || body.get("dag") == null) {
            throw EstimationCommands.bad("dag", "dag is required: dagitty text or {\"nodes\", \"edges\", \"bidirected\"}");
        }
        for (String field : new String[]{"treatment", "outcome"}) {
            Object v = body.get(field);
            if (v != null && !(v instanceof String)) {
                throw EstimationCommands.bad(field, field + " must be a node name");
            }
        }
        for (String field : body.keySet()) {
            if (!field.equals("dag") && !field.equals("treatment") && !field.equals("outcome")) {
                throw EstimationCommands.bad(field, "unknown field '" + field + "'; expected dag, treatment, outcome");
            }
        }
        long arrived = System.nanoTime();
        return Uni.createFrom().emitter(em -> {
            try {
                pool.execute(() -> {
                    try {
                        em.complete(run(body, arrived));
                    } catch (RuntimeException e) {
                        em.fail(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                em.fail(new ProblemException(503, "Service Unavailable",
                        "too many DAG analyses are waiting; retry shortly", Map.of("Retry-After", "2")));
            }
        });
    }

    private Map<String, Object> run(Map<String, Object> body, long arrived) {
        // the budget counts from the request's arrival: time spent waiting for a thread is spent
        Duration left = budget.minusNanos(System.nanoTime() - arrived);
        if (left.isNegative() || left.isZero()) {
            left = Duration.ofNanos(1); // the linear part only: a minimal set, listings flagged by time
        }
        try {
            return engine.analyzeDag(body.get("dag"), (String) body.get("treatment"), (String) body.get("outcome"), left);
        } catch (InvalidSpecException e) {
            throw EstimationCommands.bad(e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("dag: " + e.getMessage());
        }
    }
}
