package io.counterfact.query.estimation;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * An estimation as the read side knows it. The first six fields are the public contract of
 * {@code GET /api/estimations/{id}} (ARCHITECTURE.md; {@code estimatedSeconds} null for an estimation accepted before
 * costs were estimated), the same as the command side answers; the rest extend it:
 * where the estimation stands ({@code progress}), what it ran on, and when.
 */
public record EstimationView(String id,
                             @Schema(enumeration = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"},
                                     description = "CANCELLED: stopped by DELETE /api/estimations/{id} (terminal)")
                             String status, JsonNode request, Double estimatedSeconds, JsonNode result, String error,
                             String errorField, boolean poison, String datasetId, Integer version, String method,
                             Progress progress, Instant acceptedAt, Instant startedAt, Instant finishedAt,
                             Instant updatedAt) {

    /** The newest attempt of a worker: a new attempt (after a worker died) starts again from 0. */
    public record Progress(int attempt, double fraction, String stage) {
    }
}
