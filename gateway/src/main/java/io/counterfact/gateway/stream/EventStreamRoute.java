package io.counterfact.gateway.stream;

import io.counterfact.common.http.LastEventId;
import io.counterfact.gateway.auth.ApiKey;
import io.counterfact.gateway.config.GatewayConfig;
import io.counterfact.gateway.http.Problems;
import io.counterfact.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /api/views/events} at the gateway: answered from the {@link ViewChangeHub}, never proxied (a proxied
 * stream held a pooled connection to query-service for its whole life). At most
 * {@code counterfact.streams.per-key} streams per key on this pod; past it 429 with {@code Retry-After}.
 */
@Singleton
public class EventStreamRoute {

    public static final String PATH = "/api/views/events";
    private static final long RETRY_AFTER_SECONDS = 10;

    private final ViewChangeHub hub;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;

    public EventStreamRoute(ViewChangeHub hub, GatewayConfig config, GatewayMetrics metrics) {
        this.hub = hub;
        this.config = config;
        this.metrics = metrics;
    }

    public static boolean handles(String method, String path) {
        return "GET".equals(method) && PATH.equals(path);
    }

    public void open(RoutingContext ctx, ApiKey key) {
        HttpServerRequest request = ctx.request();
        Long lastEventId;
        try {
            lastEventId = LastEventId.parse(request.getHeader("Last-Event-ID"));
        } catch (IllegalArgumentException e) {
            Problems.send(ctx, 400, "Bad Request", e.getMessage(), null, Map.of(), config.rejectLinger());
            return;
        }
        if (!hub.admit(key.name())) {
            metrics.rejected("too_many_streams", "views");
            Problems.send(ctx, 429, "Too Many Requests", "key '" + key.name() + "' has " + hub.perKeyLimit()
                            + " event streams open, the most it may; close one, or retry after " + RETRY_AFTER_SECONDS
                            + " s", null, Map.of("Retry-After", Long.toString(RETRY_AFTER_SECONDS)),
                    config.rejectLinger());
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        StreamClient[] self = new StreamClient[1];
        Runnable closed = () -> {
            if (released.compareAndSet(false, true)) {
                hub.release(key.name());
                self[0].markClosed();
                hub.detach(self[0]);
            }
        };
        StreamFilter filter = StreamFilter.of(request.getParam("datasetId"), request.getParam("estimationId"));
        self[0] = new StreamClient(filter, Vertx.currentContext(), ctx.response(),
                () -> metrics.rejected("slow_stream_dropped", "views"));
        ctx.response().closeHandler(v -> closed.run());
        ctx.response().exceptionHandler(e -> closed.run());
        ctx.response().endHandler(v -> closed.run());
        hub.attach(self[0], lastEventId);
    }
}
