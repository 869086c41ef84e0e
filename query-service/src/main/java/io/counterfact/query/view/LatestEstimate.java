package io.counterfact.query.view;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** The latest succeeded estimation of a dataset by one method: a row of the overview's forest plot. */
public record LatestEstimate(String method, String estimationId, int version, String estimand, Instant completedAt,
                             JsonNode result) {
}
