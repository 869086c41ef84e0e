package io.counterfact.gateway.proxy;

import io.counterfact.gateway.auth.ApiKey;
import io.counterfact.gateway.resilience.CircuitBreaker;
import io.counterfact.gateway.routing.BodyKind;
import io.counterfact.gateway.routing.RouteTable;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.RoutingContext;

/** What the gateway knows about one proxied request, from the router's checks to the service's answer. */
public final class Exchange {

    final RoutingContext ctx;
    final String requestId;
    final ApiKey key;
    final RouteTable.Route route;
    /** the kind of body the request has and the most bytes of it that may be forwarded */
    final BodyKind bodyKind;
    final long bodyLimit;
    final CircuitBreaker.Permit permit;
    /** the proxy to ask when the route's service answers 404 (the route's fallback), or null */
    final UpstreamProxy fallback;

    volatile HttpClientRequest upstreamRequest;
    volatile boolean bodyTooLarge;
    volatile boolean clientFailed;
    volatile boolean timedOut;
    volatile boolean answered;
    volatile long timer = -1;

    public Exchange(RoutingContext ctx, String requestId, ApiKey key, RouteTable.Route route, BodyKind bodyKind,
                    long bodyLimit, CircuitBreaker.Permit permit, UpstreamProxy fallback) {
        this.ctx = ctx;
        this.requestId = requestId;
        this.key = key;
        this.route = route;
        this.bodyKind = bodyKind;
        this.bodyLimit = bodyLimit;
        this.permit = permit;
        this.fallback = fallback;
    }
}
