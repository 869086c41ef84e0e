package io.counterfact.query.estimation;

import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import io.counterfact.query.rest.DatasetViewResource;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Set;

/**
 * The estimation views of the public API: the gateway routes {@code GET /api/estimations/{id}} here (the read side
 * answers reads; {@code POST /api/estimations} goes to estimation-service) and {@code /api/views/**} too.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "views")
public class EstimationViewResource {

    private static final Set<String> STATUSES = Set.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");

    @Inject
    EstimationViews views;

    @GET
    @Path("/estimations/{id}")
    @Operation(summary = "An estimation: {id, status, request, result, error}, with its progress and times; status is "
            + "QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED (DELETE /api/estimations/{id}, answered by estimation-service)")
    @APIResponse(responseCode = "404", description = "no view of this estimation (unknown, or accepted a moment ago: "
            + "the gateway then asks estimation-service)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public EstimationView estimation(@PathParam("id") String id) {
        return views.find(id).orElseThrow(() -> ProblemException.notFound("no estimation '" + id + "'"));
    }

    @GET
    @Path("/views/estimations")
    @Operation(summary = "A dataset's estimations, the most recently accepted first")
    public List<EstimationView> ofDataset(
            @Parameter(description = "the dataset (required)") @QueryParam("datasetId") String datasetId,
            @Parameter(description = "QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED (default: any)") @QueryParam("status")
            String status,
            @Parameter(description = "how many, 1 to 500 (default 50)") @QueryParam("limit") String limit) {
        if (datasetId == null || datasetId.isBlank()) {
            throw ProblemException.badRequest("query parameter 'datasetId' is required");
        }
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("query parameter 'status' must be one of QUEUED, RUNNING, SUCCEEDED, "
                    + "FAILED, CANCELLED, not '" + status + "'");
        }
        return views.ofDataset(datasetId, status == null || status.isEmpty() ? null : status, DatasetViewResource.limit(limit));
    }
}
