package io.counterfact.gateway.http;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request ids: a client's {@code X-Request-Id} is kept if it is 1 to {@value #MAX_LENGTH} characters of
 * {@code [A-Za-z0-9._:@+=/-]} (so it cannot forge log lines or headers); anything else is replaced by a fresh UUID.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    public static final int MAX_LENGTH = 128;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:@+=/-]{1," + MAX_LENGTH + "}");

    private RequestIds() {
    }

    /** @return the client's id if it is safe, else a new one */
    public static String accept(String given) {
        if (given != null) {
            String trimmed = given.trim();
            if (SAFE.matcher(trimmed).matches()) {
                return trimmed;
            }
        }
        return UUID.randomUUID().toString();
    }
}
