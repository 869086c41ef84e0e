package io.counterfact.estimation.replica;

import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Internal read API of the replica, for tests and operators (not routed by the gateway; needs the internal token). */
@Path("/api/replica/datasets/{id}/versions/{version}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "replica", description = "estimation-service's replica of dataset versions")
public class ReplicaResource {

    @Inject
    ReplicaStore store;

    @GET
    @Operation(summary = "A dataset version's replica: PENDING, READY or CORRUPT (with the reason)")
    @APIResponse(responseCode = "200", description = "the replica's state",
            content = @Content(schema = @Schema(implementation = ReplicaVersion.class)))
    @APIResponse(responseCode = "400", description = "version is not a positive integer",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "no valid internal token",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "the replica has no such version",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReplicaVersion get(@PathParam("id") String datasetId, @PathParam("version") String version) {
        int v;
        try {
            v = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            v = 0;
        }
        if (v < 1) {
            throw ProblemException.badRequest("path parameter 'version' must be a positive integer, not '" + version + "'");
        }
        int number = v;
        return store.find(datasetId, v).orElseThrow(() -> ProblemException.notFound(
                "the replica has no version " + number + " of dataset '" + datasetId + "'"));
    }
}
