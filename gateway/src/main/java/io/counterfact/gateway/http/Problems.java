package io.counterfact.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.http.Problem;
import io.counterfact.common.http.RefusedBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Map;

/**
 * The gateway's own error answers: {@code application/problem+json} (RFC 9457) with the fields of common's
 * {@link Problem} ({@code type}, {@code title}, {@code status}, {@code detail}) and two extension members,
 * {@code requestId} and, for 502 to 504, {@code upstream}: the service at fault.
 */
public final class Problems {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    static final long SMALL_BODY = 64 * 1024;

    private static boolean largeBodyPending(HttpServerRequest request) {
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            return true; // refused without a 100: the body may never come, and the connection cannot be reused
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.trim()) > SMALL_BODY;
            } catch (NumberFormatException e) {
                return true;
            }
        }
        String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).contains("chunked");
    }

    public static Buffer body(int status, String title, String detail, String requestId, String upstream) {
        ObjectNode problem = JSON.createObjectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", detail);
        if (requestId != null) {
            problem.put("requestId", requestId);
        }
        if (upstream != null) {
            problem.put("upstream", upstream);
        }
        return Buffer.buffer(problem.toString());
    }

    /** Answers with a problem; if the request body is still arriving, see {@link #closeWhenDrained}. */
    public static void send(RoutingContext ctx, int status, String title, String detail, String upstream,
                            Map<String, String> headers, Duration linger) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        Buffer body = body(status, title, detail, ctx.get(RequestIds.MDC_KEY), upstream);
        headers.forEach((name, value) -> ctx.response().putHeader(name, value));
        closeWhenDrained(ctx, linger);
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()))
                .end(body);
    }

    /**
     * For an error answered before the request body was read: says {@code Connection: close}, and once the answer
     * is sent keeps reading and discarding the body for at most {@code linger} (so that the client, still sending,
     * reads the answer rather than a reset), then closes the connection. A small body (up to
     * {@value #SMALL_BODY} bytes announced, and no {@code Expect: 100-continue}) is simply drained and the
     * connection kept; HTTP/2 streams are left to flow control.
     */
    public static void closeWhenDrained(RoutingContext ctx, Duration linger) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded() || request.version() == HttpVersion.HTTP_2 || !largeBodyPending(request)) {
            return;
        }
        RefusedBody.lingerThenClose(ctx, true, linger.toMillis());
    }
}
