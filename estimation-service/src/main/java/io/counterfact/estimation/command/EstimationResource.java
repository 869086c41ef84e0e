package io.counterfact.estimation.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.http.Problem;
import io.counterfact.common.http.ProblemException;
import io.counterfact.common.http.ProblemMappers;
import io.counterfact.estimation.db.Transactions;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

/** {@code POST /api/estimations} (a command: 202 with a Location) and the command side's own status of one. */
@Path("/api/estimations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "estimations", description = "estimation commands")
public class EstimationResource {

    @Inject
    EstimationCommands commands;

    @Inject
    Transactions transactions;

    @Inject
    EstimationRepository repository;

    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Queue an estimation: validated against the dataset version and the engine, then run by a worker")
    @APIResponse(responseCode = "202", description = "accepted: {id, status, estimatedSeconds}; Location names the estimation")
    @APIResponse(responseCode = "400", description = "a field at fault (named in detail and errors[].field), or past a "
            + "limit (bootstrap replicates, the estimated time or memory of the command): the option or column, the "
            + "limit and the estimate",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "unknown dataset or version",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "the version is CORRUPT, or the Idempotency-Key was used for another request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "the version is still being replicated, or the replica of the "
            + "datasets cannot tell yet whether the dataset exists; Retry-After says when to try again",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = EstimationRequest.class)))
    public Response submit(String text, @HeaderParam("Idempotency-Key") String idempotencyKey,
                           @HeaderParam("traceparent") String traceparent) throws JsonProcessingException {
        // the body is read here, not bound by Jackson: every mistake in it is answered naming the field, in the API's
        // words, never in the parser's (which name Java types and this service's classes)
        EstimationRequest request = EstimationRequest.parse(readJson(text));
        EstimationCommands.Accepted accepted = commands.accept(request, idempotencyKey, traceparent);
        ObjectNode body = json.createObjectNode().put("id", accepted.id()).put("status", accepted.status().name());
        if (accepted.estimatedSeconds() != null) {
            body.put("estimatedSeconds", accepted.estimatedSeconds());
        } else {
            body.putNull("estimatedSeconds");
        }
        // JSON text, not a JsonNode entity: an ObjectNode entity would make Quarkus REST generate a bean serializer for it
        return Response.accepted(body.toString()).type(MediaType.APPLICATION_JSON).location(URI.create("/api/estimations/" + accepted.id())).build();
    }

    private JsonNode readJson(String body) throws JsonProcessingException {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            if (ProblemMappers.JsonProcessingExceptionMapper.overALimit(e)) {
                throw e; // nesting, string or number past the reader's limits: the common answer names the limit
            }
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw ProblemException.badRequest("the request body is not valid JSON" + at + ": check the quotes, commas "
                    + "and brackets there");
        }
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "An estimation's status on the command side: {id, status, request, result, error}; status is "
            + "QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED")
    @APIResponse(responseCode = "200", description = "the estimation",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EstimationStatus.class)))
    @APIResponse(responseCode = "404", description = "unknown estimation",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response get(@PathParam("id") String id) {
        EstimationRepository.Row row = transactions.inTransaction(c -> repository.find(c, id))
                .orElseThrow(() -> ProblemException.notFound("no estimation '" + id + "'"));
        return Response.ok(body(row), MediaType.APPLICATION_JSON).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel an estimation (analyst): a QUEUED one never starts, a RUNNING one stops at its next "
            + "checkpoint (within a second), on whichever worker runs it; its status is CANCELLED (terminal) at once. "
            + "Repeating the call is harmless (202 again)")
    @APIResponse(responseCode = "202", description = "cancelled: the estimation as stored, status CANCELLED",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EstimationStatus.class)))
    @APIResponse(responseCode = "403", description = "the caller's role may only read (viewer)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "unknown estimation",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "the estimation finished (SUCCEEDED or FAILED) before it could be cancelled",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response cancel(@PathParam("id") String id, @HeaderParam("traceparent") String traceparent) {
        EstimationRepository.Row row = commands.cancel(id, traceparent);
        return Response.accepted(body(row)).type(MediaType.APPLICATION_JSON).build();
    }

    /** What GET and DELETE answer, as JSON text. */
    private String body(EstimationRepository.Row row) {
        ObjectNode body = json.createObjectNode().put("id", row.id()).put("status", row.status().name());
        body.set("request", row.request());
        if (row.estimatedSeconds() != null) {
            body.put("estimatedSeconds", row.estimatedSeconds());
        } else {
            body.putNull("estimatedSeconds");
        }
        body.set("result", row.result() == null ? json.nullNode() : row.result());
        body.put("error", row.error());
        return body.toString();
    }

    /** The shape of an estimation on the command side, for the OpenAPI document. */
    @Schema(name = "EstimationStatus", description = "an estimation as the command side stores it")
    public record EstimationStatus(
            @Schema(description = "the estimation's id") String id,
            @Schema(enumeration = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"},
                    description = "CANCELLED: stopped by DELETE (terminal, like SUCCEEDED and FAILED)") String status,
            @Schema(description = "the request as accepted") Object request,
            @Schema(description = "the estimated wall time of the command (its cost at POST); null for one accepted "
                    + "before costs were estimated") Double estimatedSeconds,
            @Schema(description = "the result, when SUCCEEDED") Object result,
            @Schema(description = "why it FAILED") String error) {
    }
}
