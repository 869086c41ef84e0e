package io.counterfact.gateway.routing;

import io.counterfact.common.http.BodyLimits;
import io.counterfact.gateway.config.GatewayConfig;

import java.util.regex.Pattern;

/**
 * Which body limit a request gets. Only row uploads may be large (CSV or NDJSON, streamed); every other body is a
 * small JSON document that the services parse whole, so it gets the JSON limit whatever its method or path: a
 * route added later is bounded by default, not by accident.
 */
public enum BodyKind {
    JSON("JSON bodies"),
    ROWS("row uploads");

    private static final Pattern ROW_UPLOAD = Pattern.compile("/api/datasets/[^/]+/rows");

    private final String description;

    BodyKind(String description) {
        this.description = description;
    }

    /** @param path the normalised path */
    public static BodyKind of(String method, String path) {
        return "POST".equals(method) && path != null && ROW_UPLOAD.matcher(path).matches() ? ROWS : JSON;
    }

    public long limit(GatewayConfig.BodyLimits limits) {
        return this == ROWS ? limits.rows() : limits.json();
    }

    /** The limit in words for a 413's detail, e.g. "the limit of 1048576 bytes (1 MiB) for JSON bodies". */
    public String describe(long limit) {
        return "the limit of " + BodyLimits.describe(limit) + " for " + description;
    }
}
