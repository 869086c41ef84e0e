package io.counterfact.estimation.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.events.EventEnvelope;
import io.counterfact.common.events.EventTypes;
import io.counterfact.common.events.Topics;
import io.counterfact.common.outbox.OutboxRows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** Builds the estimation command and events (schemas in common) and writes them to the outbox on a connection. */
@ApplicationScoped
public class EstimationEvents {

    static final String SOURCE = "/counterfact/estimation-service";
    /** The sequence (migration V3) that numbers the commands for their partition. */
    static final String COMMAND_PARTITION_SLOTS = "command_partition_slot";

    @Inject
    ObjectMapper json;

    public void run(Connection c, String id, String datasetId, int version, JsonNode request, Instant acceptedAt,
                    String traceparent) throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", version);
        data.set("request", request);
        data.put("acceptedAt", acceptedAt.toString());
        // spread by acceptance order, not by the id's hash: queued commands are shared evenly by the workers
        OutboxRows.insertJsonSpread(c, json, Topics.ESTIMATION_COMMANDS, id,
                EventEnvelope.of(EventTypes.ESTIMATION_RUN, 1, SOURCE, id, traceparent, data), COMMAND_PARTITION_SLOTS);
    }

    public void accepted(Connection c, String id, String datasetId, int version, JsonNode request, Instant acceptedAt,
                         String traceparent, Double estimatedSeconds) throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", id).put("datasetId", datasetId).put("version", version)
                .put("status", "QUEUED");
        data.set("request", request);
        data.put("acceptedAt", acceptedAt.toString());
        if (estimatedSeconds != null) {
            data.put("estimatedSeconds", estimatedSeconds); // optional in the schema (issue 24)
        }
        write(c, Topics.ESTIMATION_EVENTS, id, EventTypes.ESTIMATION_ACCEPTED, traceparent, data);
    }

    public void progress(Connection c, String id, int attempt, double fraction, String stage, String traceparent)
            throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", id).put("status", "RUNNING").put("attempt", attempt)
                .put("fraction", Math.max(0, Math.min(1, fraction))).put("stage", stage == null ? "" : stage)
                .put("at", Instant.now().toString());
        write(c, Topics.ESTIMATION_EVENTS, id, EventTypes.ESTIMATION_PROGRESS, traceparent, data);
    }

    public void completed(Connection c, EstimationRepository.Row row, JsonNode result, Instant completedAt)
            throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", row.id()).put("datasetId", row.datasetId())
                .put("version", row.version()).put("status", "SUCCEEDED").put("attempt", Math.max(1, row.attempts()));
        if (row.startedAt() != null) {
            data.put("startedAt", row.startedAt().toString());
        }
        data.put("completedAt", completedAt.toString());
        data.set("result", result);
        write(c, Topics.ESTIMATION_EVENTS, row.id(), EventTypes.ESTIMATION_COMPLETED, row.traceparent(), data);
    }

    public void failed(Connection c, EstimationRepository.Row row, String reason, String field, boolean poison,
                       Instant failedAt) throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", row.id()).put("datasetId", row.datasetId())
                .put("version", row.version()).put("status", "FAILED").put("reason", reason).put("field", field)
                .put("poison", poison).put("attempt", row.attempts()).put("failedAt", failedAt.toString());
        write(c, Topics.ESTIMATION_EVENTS, row.id(), EventTypes.ESTIMATION_FAILED, row.traceparent(), data);
    }

    /** EstimationCancelled: DELETE stopped a QUEUED or RUNNING estimation (once per estimation). */
    public void cancelled(Connection c, EstimationRepository.Row row, EstimationRepository.Status previous,
                          String traceparent) throws SQLException {
        ObjectNode data = json.createObjectNode().put("estimationId", row.id()).put("datasetId", row.datasetId())
                .put("version", row.version()).put("status", "CANCELLED").put("previousStatus", previous.name())
                .put("attempt", row.attempts())
                .put("cancelledAt", (row.finishedAt() == null ? Instant.now() : row.finishedAt()).toString());
        write(c, Topics.ESTIMATION_EVENTS, row.id(), EventTypes.ESTIMATION_CANCELLED, traceparent, data);
    }

    private void write(Connection c, String topic, String key, String type, String traceparent, ObjectNode data)
            throws SQLException {
        OutboxRows.insertJson(c, json, topic, key, EventEnvelope.of(type, 1, SOURCE, key, traceparent, data));
    }
}
