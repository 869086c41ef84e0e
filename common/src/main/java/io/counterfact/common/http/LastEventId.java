package io.counterfact.common.http;

/**
 * The SSE {@code Last-Event-ID} header of a view-change stream: the id (a view change's seq) of the last event a
 * client received. Read the same way where streams are served: query-service (the gateway's feed) and the gateway.
 */
public final class LastEventId {

    private LastEventId() {
    }

    /**
     * @return the id, or null when the header is absent or blank
     * @throws IllegalArgumentException naming the header, if it is not a non-negative integer
     */
    public static Long parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(value.trim());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new IllegalArgumentException("the Last-Event-ID header must be the id of an event this stream sent "
                + "(a non-negative integer), got '" + value + "'");
    }
}
