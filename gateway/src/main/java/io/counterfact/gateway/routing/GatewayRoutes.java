package io.counterfact.gateway.routing;

import io.counterfact.common.tracing.Tracing;
import io.counterfact.gateway.auth.ApiKey;
import io.counterfact.gateway.auth.ApiKeys;
import io.counterfact.gateway.config.GatewayConfig;
import io.counterfact.gateway.http.Problems;
import io.counterfact.gateway.http.RequestIds;
import io.counterfact.gateway.metrics.GatewayMetrics;
import io.counterfact.gateway.proxy.Exchange;
import io.counterfact.gateway.proxy.Upstreams;
import io.counterfact.gateway.ratelimit.RateLimiter;
import io.counterfact.gateway.resilience.CircuitBreaker;
import io.counterfact.gateway.stream.EventStreamRoute;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.Map;
import java.util.Optional;

/**
 * Mounts the gateway on Quarkus' Vert.x router:
 *
 * <ol>
 *   <li>every path: the request id (accepted or generated), in the log MDC, upstream and on every response;</li>
 *   <li>{@code /api} and below, in this order: API key (401), rate limit (429), route (404), role (403), declared
 *       body size against the route's limit (413, {@link BodyKind}), circuit breaker (503), then the service's proxy
 *       ({@link RouteTable}), which counts the body against the same limit as it streams.</li>
 * </ol>
 *
 * Health, metrics and OpenAPI stay under {@code /q/}, outside this and without a key.
 */
@Singleton
public class GatewayRoutes {

    private static final Logger LOG = Logger.getLogger(GatewayRoutes.class);
    private static final String DEV_ANALYST = "dev-token";
    private static final String DEV_VIEWER = "dev-viewer";
    private static final String REALM = "Bearer realm=\"counterfact\"";

    private final GatewayConfig config;
    private final ApiKeys apiKeys;
    private final RateLimiter rateLimiter;
    private final Upstreams upstreams;
    private final GatewayMetrics metrics;
    private final EventStreamRoute streams;

    public GatewayRoutes(GatewayConfig config, ApiKeys apiKeys, RateLimiter rateLimiter, Upstreams upstreams,
                         GatewayMetrics metrics, EventStreamRoute streams) {
        this.config = config;
        this.apiKeys = apiKeys;
        this.rateLimiter = rateLimiter;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.streams = streams;
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(GatewayRoutes::requestId);
        router.routeWithRegex("/api(/.*)?").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT)
                .handler(this::handle)
                .failureHandler(this::failure);
        logStartup();
    }

    static void requestId(RoutingContext ctx) {
        String id = RequestIds.accept(ctx.request().getHeader(RequestIds.HEADER));
        ctx.put(RequestIds.MDC_KEY, id);
        MDC.put(RequestIds.MDC_KEY, id);
        ctx.addHeadersEndHandler(v -> ctx.response().headers().set(RequestIds.HEADER, id));
        ctx.next();
    }

    void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        String method = request.method().name();
        Optional<RouteTable.Route> route = RouteTable.match(method, ctx.normalizedPath());
        String routeName = route.map(RouteTable.Route::name).orElse("none");
        // the trace starts here (or continues the client's traceparent); the services continue it (UpstreamProxy)
        Span span = Tracing.start(method + " " + route.map(RouteTable.Route::prefix).orElse("/api"), SpanKind.SERVER,
                request.getHeader(Tracing.HEADER));
        span.setAttribute("http.request.method", method);
        span.setAttribute("url.path", ctx.normalizedPath());
        span.setAttribute("counterfact.request_id", String.valueOf((Object) ctx.get(RequestIds.MDC_KEY)));
        ctx.put(Tracing.HEADER, Tracing.traceparent(span));
        ctx.addEndHandler(ended -> {
            int status = ctx.response().getStatusCode();
            metrics.request(routeName, route.map(r -> r.service().serviceName()).orElse("none"), method, status,
                    System.nanoTime() - start);
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        });

        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<ApiKey> authenticated = apiKeys.authenticate(authorization);
        if (authenticated.isEmpty()) {
            metrics.rejected("unauthenticated", routeName);
            boolean presented = authorization != null;
            reject(ctx, 401, "Unauthorized", presented
                            ? "the API key in the Authorization header is not valid"
                            : "an API key is required: send Authorization: Bearer <key>",
                    Map.of("WWW-Authenticate", presented ? REALM + ", error=\"invalid_token\"" : REALM));
            return;
        }
        ApiKey key = authenticated.get();

        RateLimiter.Decision decision = rateLimiter.tryAcquire(key.name());
        if (!decision.allowed()) {
            metrics.rejected("rate_limited", routeName);
            reject(ctx, 429, "Too Many Requests", "key '" + key.name() + "' is limited to "
                            + decision.limit().requestsPerSecond() + " requests per second (burst "
                            + decision.limit().burst() + "); retry after " + decision.retryAfterSeconds() + " s",
                    Map.of("Retry-After", Long.toString(decision.retryAfterSeconds())));
            return;
        }

        if (route.isEmpty()) {
            metrics.rejected("not_found", routeName);
            reject(ctx, 404, "Not Found", "no route for " + ctx.normalizedPath() + "; the API is under "
                    + String.join(", ", RouteTable.prefixes()), Map.of());
            return;
        }

        if (!key.role().mayWrite() && !RouteTable.changesNothing(method, ctx.normalizedPath())) {
            metrics.rejected("forbidden", routeName);
            reject(ctx, 403, "Forbidden", "role " + key.role().name().toLowerCase() + " may only read; "
                    + method + " needs role analyst", Map.of());
            return;
        }

        if (EventStreamRoute.handles(method, ctx.normalizedPath())) {
            streams.open(ctx, key); // fanned out by the gateway, not proxied (see ViewChangeHub)
            return;
        }

        BodyKind bodyKind = BodyKind.of(method, ctx.normalizedPath());
        long bodyLimit = bodyKind.limit(config.bodyLimits());
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                reject(ctx, 400, "Bad Request", "Content-Length '" + length + "' is not a number", Map.of());
                return;
            }
            if (declared > bodyLimit) {
                // refused before a byte of the body is read; the service is never called
                metrics.rejected("too_large", routeName);
                reject(ctx, 413, "Content Too Large", "request body of " + declared + " bytes exceeds "
                        + bodyKind.describe(bodyLimit), Map.of());
                return;
            }
        }

        Service service = route.get().service();
        CircuitBreaker breaker = upstreams.breaker(service);
        CircuitBreaker.Permit permit = breaker.tryAcquire();
        Service fallback = route.get().fallback();
        if (permit == null && fallback != null) {
            // the view's service is failing: the command side answers the read meanwhile (marked X-Counterfact-Source)
            CircuitBreaker.Permit fallbackPermit = upstreams.breaker(fallback).tryAcquire();
            if (fallbackPermit != null) {
                try {
                    upstreams.proxy(fallback).handle(ctx, new Exchange(ctx, ctx.get(RequestIds.MDC_KEY), key,
                            route.get(), bodyKind, bodyLimit, fallbackPermit, null));
                } catch (RuntimeException e) {
                    fallbackPermit.ignore();
                    throw e;
                }
                return;
            }
        }
        if (permit == null) {
            metrics.rejected("circuit_open", routeName);
            long retry = Math.max(1, (breaker.retryAfter().toMillis() + 999) / 1000);
            Problems.send(ctx, 503, "Service Unavailable", service.serviceName() + " is failing: its circuit is open "
                    + "after " + breaker.failureThreshold() + " consecutive failures; retry after " + retry + " s",
                    service.serviceName(), Map.of("Retry-After", Long.toString(retry)), config.rejectLinger());
            return;
        }

        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            ctx.response().writeContinue();
        }
        try {
            upstreams.proxy(service).handle(ctx, new Exchange(ctx, ctx.get(RequestIds.MDC_KEY), key, route.get(),
                    bodyKind, bodyLimit, permit, fallback == null ? null : upstreams.proxy(fallback)));
        } catch (RuntimeException e) {
            permit.ignore();
            throw e;
        }
    }

    private void reject(RoutingContext ctx, int status, String title, String detail, Map<String, String> headers) {
        LOG.debugf("%s %s -> %d: %s", ctx.request().method(), ctx.normalizedPath(), status, detail);
        Problems.send(ctx, status, title, detail, null, headers, config.rejectLinger());
    }

    private void failure(RoutingContext ctx) {
        LOG.error("gateway failure on " + ctx.normalizedPath(), ctx.failure());
        Problems.send(ctx, 500, "Internal Server Error", "the gateway failed; see its log for request "
                + ctx.get(RequestIds.MDC_KEY), null, Map.of(), config.rejectLinger());
    }

    private void logStartup() {
        StringBuilder keys = new StringBuilder();
        for (ApiKey key : apiKeys.keys()) {
            keys.append(keys.isEmpty() ? "" : ", ").append(key.name()).append(" (").append(key.role().name()
                    .toLowerCase()).append(')');
        }
        LOG.infof("gateway routes: %s; API keys: %s", RouteTable.ROUTES.stream()
                .map(r -> (r.methods().isEmpty() ? "" : String.join("|", r.methods()) + " ") + r.prefix() + " -> "
                        + r.service().baseUrl(config.routes())
                        + (r.fallback() == null ? "" : " (404: " + r.fallback().serviceName() + ")")).toList(), keys);
        // the local stack's keys are printed (they are the documented defaults, or dev/test ones); others never are
        String analyst = config.auth().analystToken();
        String viewer = config.auth().viewerToken();
        if (LaunchMode.current() != LaunchMode.NORMAL || DEV_ANALYST.equals(analyst) || DEV_VIEWER.equals(viewer)) {
            LOG.infof("local keys: analyst 'Authorization: Bearer %s', viewer 'Authorization: Bearer %s'",
                    analyst, viewer);
        }
    }
}
