package io.counterfact.query.stream;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change of the views, as streamed to clients: {@code kind} is {@code estimation} (with its new {@code status}
 * and {@code fraction}) or {@code dataset} (its catalog entry or overview changed); {@code heartbeat} keeps idle
 * connections open through proxies.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ViewChange(String kind, String id, String datasetId, String status, Double fraction) {

    static ViewChange heartbeat() {
        return new ViewChange("heartbeat", null, null, null, null);
    }

    boolean concerns(String datasetFilter, String estimationFilter) {
        if ("heartbeat".equals(kind)) {
            return true;
        }
        if (estimationFilter != null && !("estimation".equals(kind) && estimationFilter.equals(id))) {
            return false;
        }
        return datasetFilter == null || datasetFilter.equals(datasetId);
    }
}
