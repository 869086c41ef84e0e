package io.counterfact.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * What becomes of a request body a service refused before its end (413): the answer says {@code Connection: close};
 * once it is sent the rest of the body is read and discarded for at most {@link #LINGER_MILLIS} (so that a client
 * still sending reads the answer, not a connection reset), then the connection is closed. Reading it all could take
 * minutes for a 2 GB upload; keeping the connection would leave it to a client that is still sending.
 */
public final class RefusedBody {

    static final long LINGER_MILLIS = 2000;

    private RefusedBody() {
    }

    /**
     * @param routing the request's Vert.x context (null: nothing to do)
     * @param bodyMayFollow false when the client will not send the body (it waits for a 100 Continue): the
     *                      connection is closed as soon as the answer is sent
     */
    static void closeAfterAnswer(RoutingContext routing, boolean bodyMayFollow) {
        if (routing == null) {
            return;
        }
        HttpServerRequest request = routing.request();
        if (request.version() == HttpVersion.HTTP_2) {
            // one stream of a shared connection: its flow control stops the client; closing would end the others
            return;
        }
        lingerThenClose(routing, bodyMayFollow, LINGER_MILLIS);
    }

    /**
     * Says {@code Connection: close}; once the answer is sent, reads and discards what is left of the body for at
     * most {@code lingerMillis}, then closes the connection (at once when the body has ended or will not come).
     * The gateway's refusals use it too ({@code Problems.closeWhenDrained}).
     */
    public static void lingerThenClose(RoutingContext routing, boolean bodyMayFollow, long lingerMillis) {
        HttpServerRequest request = routing.request();
        routing.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        Vertx vertx = routing.vertx();
        routing.addEndHandler(answered -> {
            if (request.isEnded() || !bodyMayFollow) {
                request.connection().close();
                return;
            }
            long timer = vertx.setTimer(Math.max(1, lingerMillis), id -> request.connection().close());
            request.exceptionHandler(e -> vertx.cancelTimer(timer));
            request.endHandler(v -> {
                vertx.cancelTimer(timer);
                request.connection().close();
            });
            request.handler(discarded -> {
            });
            request.resume();
        });
    }
}
