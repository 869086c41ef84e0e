package io.counterfact.estimation.command;

import io.counterfact.engine.CausalEngine;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.common.auth.ChangesNothing;
import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/** {@code POST /api/dags/analyze}: adjustment sets, front door, instruments, implied independences of a DAG. */
@Path("/api/dags/analyze")
@Tag(name = "dags")
public class DagResource {

    @Inject
    CausalEngine engine;

    @POST
    @ChangesNothing // computed from the request alone: open to viewers
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Analyze a DAG (dagitty text or JSON) for a treatment and an outcome")
    @APIResponse(responseCode = "400", description = "a syntax error, a cycle or an unknown node, named in detail",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Map<String, Object> analyze(Map<String, Object> body) {
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
        try {
            return engine.analyzeDag(body.get("dag"), (String) body.get("treatment"), (String) body.get("outcome"));
        } catch (InvalidSpecException e) {
            throw EstimationCommands.bad(e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("dag: " + e.getMessage());
        }
    }
}
