package io.counterfact.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventTypes;

import java.time.Instant;
import java.util.UUID;

import static io.counterfact.query.Fixtures.JSON;
import static io.counterfact.query.Fixtures.TRACEPARENT;
import static io.counterfact.query.Fixtures.valid;

/**
 * Estimation events built the way estimation-service's {@code EstimationEvents} builds them (same envelope, same data
 * fields), each checked against the shared JSON Schemas.
 */
final class EstimationFixtures {

    static final String SOURCE = "/counterfact/estimation-service";

    private EstimationFixtures() {
    }

    static String estimationId() {
        return UUID.randomUUID().toString();
    }

    static ObjectNode request(String datasetId, String method) {
        ObjectNode request = JSON.createObjectNode().put("datasetId", datasetId).put("version", 1)
                .put("method", method).put("estimand", "ATE").put("treatment", "t").put("outcome", "y");
        request.putArray("covariates").add("x1");
        request.putArray("instruments");
        request.putArray("endogenous");
        request.putNull("dag");
        request.putObject("options");
        return request;
    }

    static ObjectNode accepted(String id, String datasetId, String method, Instant acceptedAt) {
        ObjectNode data = JSON.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", 1)
                .put("status", "QUEUED");
        data.set("request", request(datasetId, method));
        data.put("acceptedAt", acceptedAt.toString());
        return event(EventTypes.ESTIMATION_ACCEPTED, id, data);
    }

    /** An Accepted event with the command's estimated seconds (issue 24; optional in the schema). */
    static ObjectNode accepted(String id, String datasetId, String method, Instant acceptedAt, double estimatedSeconds) {
        ObjectNode event = accepted(id, datasetId, method, acceptedAt);
        ((ObjectNode) event.get("data")).put("estimatedSeconds", estimatedSeconds);
        return event;
    }

    static ObjectNode progress(String id, int attempt, double fraction, String stage, Instant at) {
        ObjectNode data = JSON.createObjectNode().put("estimationId", id).put("status", "RUNNING")
                .put("attempt", attempt).put("fraction", fraction).put("stage", stage).put("at", at.toString());
        return event(EventTypes.ESTIMATION_PROGRESS, id, data);
    }

    static ObjectNode result(String method, double estimate) {
        ObjectNode result = JSON.createObjectNode().put("method", method).put("estimand", "ATE")
                .put("estimate", estimate).put("stdError", 0.5).put("ciLower", estimate - 0.98)
                .put("ciUpper", estimate + 0.98).put("confidenceLevel", 0.95).put("n", 100).put("nDropped", 0);
        result.putArray("covariatesUsed").add("x1");
        result.putArray("coefficients");
        result.putObject("diagnostics").put("effectiveSampleSize", 88.5);
        result.putArray("warnings");
        return result;
    }

    static ObjectNode completed(String id, String datasetId, ObjectNode result, int attempt, Instant startedAt,
                                Instant completedAt) {
        ObjectNode data = JSON.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", 1)
                .put("status", "SUCCEEDED").put("attempt", attempt).put("startedAt", startedAt.toString())
                .put("completedAt", completedAt.toString());
        data.set("result", result);
        return event(EventTypes.ESTIMATION_COMPLETED, id, data);
    }

    static ObjectNode failed(String id, String datasetId, String reason, String field, boolean poison,
                             Instant failedAt) {
        ObjectNode data = JSON.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", 1)
                .put("status", "FAILED").put("reason", reason).put("field", field).put("poison", poison)
                .put("attempt", 1).put("failedAt", failedAt.toString());
        return event(EventTypes.ESTIMATION_FAILED, id, data);
    }

    static ObjectNode cancelled(String id, String datasetId, String previousStatus, int attempt, Instant cancelledAt) {
        ObjectNode data = JSON.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", 1)
                .put("status", "CANCELLED").put("previousStatus", previousStatus).put("attempt", attempt)
                .put("cancelledAt", cancelledAt.toString());
        return event(EventTypes.ESTIMATION_CANCELLED, id, data);
    }

    private static ObjectNode event(String type, String id, ObjectNode data) {
        return valid(EventEnvelope.of(type, 1, SOURCE, id, TRACEPARENT, data));
    }
}
