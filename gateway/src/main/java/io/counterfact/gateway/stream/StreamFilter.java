package io.counterfact.gateway.stream;

/**
 * What one client asked to follow ({@code ?datasetId=}, {@code ?estimationId=}; neither: everything). Heartbeats
 * and resets reach every client.
 */
public record StreamFilter(String datasetId, String estimationId) {

    public static StreamFilter of(String datasetId, String estimationId) {
        return new StreamFilter(blankToNull(datasetId), blankToNull(estimationId));
    }

    public boolean matches(ViewChangeEvent event) {
        if ("heartbeat".equals(event.kind()) || "reset".equals(event.kind())) {
            return true;
        }
        if (estimationId != null && !("estimation".equals(event.kind()) && estimationId.equals(event.id()))) {
            return false;
        }
        return datasetId == null || datasetId.equals(event.datasetId());
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
