package io.counterfact.gateway.proxy;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.http.Problem;
import io.counterfact.common.tracing.Tracing;
import io.counterfact.gateway.config.GatewayConfig;
import io.counterfact.gateway.http.Problems;
import io.counterfact.gateway.http.RequestIds;
import io.counterfact.gateway.metrics.GatewayMetrics;
import io.counterfact.gateway.routing.Service;
import io.netty.channel.ConnectTimeoutException;
import io.smallrye.common.vertx.ContextLocals;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import org.jboss.logging.Logger;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reverse proxy to one service: a Vert.x {@link HttpProxy} (vertx-http-proxy) over an {@link HttpClient} with
 * the service's connect and idle timeouts and connection pool, and an interceptor that
 *
 * <ul>
 *   <li>replaces the client's {@code Authorization} by an internal token, sets {@code X-Request-Id} and the
 *       {@code X-Forwarded-*} headers, keeps the client's {@code Host};</li>
 *   <li>streams the request body through a {@link LimitedBody} (no buffering: the proxy pipes it with
 *       back-pressure) and the response body back the same way;</li>
 *   <li>arms the response timeout when the request body has been sent;</li>
 *   <li>turns every failure into a problem+json answer naming the service and reports the outcome to the
 *       service's circuit breaker.</li>
 * </ul>
 */
public final class UpstreamProxy {

    private static final Logger LOG = Logger.getLogger(UpstreamProxy.class);
    private static final String EXCHANGE = "counterfact.exchange";
    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "te", "trailer", "upgrade");

    private final Service service;
    private final Vertx vertx;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;
    private final String origin;
    private final String basePath;
    private final HttpClient client;
    private final HttpProxy proxy;
    private final RequestOptions target;

    public UpstreamProxy(Service service, Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
        this.service = service;
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        URI base = service.baseUrl(config.routes());
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        if (!tls && !"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new IllegalStateException("the URL of " + service.serviceName() + " must be http(s)://host[:port], got "
                    + base);
        }
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        this.origin = base.getScheme().toLowerCase() + "://" + base.getHost() + (base.getPort() > 0 ? ":" + port : "");
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        GatewayConfig.Upstream up = config.upstream();
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) up.connectTimeout().toMillis())
                .setIdleTimeout((int) up.idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setKeepAlive(true)
                .setSsl(tls)
                .setDecompressionSupported(false)
                .setName("gateway-" + service.serviceName());
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(up.maxConnections())
                .setMaxWaitQueueSize(up.maxWaitQueue());
        this.client = vertx.createHttpClient(options, pool);
        this.target = new RequestOptions().setHost(base.getHost()).setPort(port).setSsl(tls);
        this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
                .origin(this::originRequest)
                .addInterceptor(new Interceptor());
    }

    public Service service() {
        return service;
    }

    /** Proxies the request; every outcome ends the response (the service's answer or a problem). */
    public void handle(RoutingContext ctx, Exchange exchange) {
        ContextLocals.put(EXCHANGE, exchange);
        proxy.handle(Http2BodyRequest.adapt(ctx.request()));
    }

    public void close() {
        client.close();
    }

    private Future<HttpClientRequest> originRequest(ProxyContext pctx) {
        Exchange exchange = pctx.get(EXCHANGE, Exchange.class);
        return client.request(new RequestOptions(target)).onSuccess(request -> {
            exchange.upstreamRequest = request;
            // failures reach the proxy through the response future; without a handler Vert.x would log each one
            request.exceptionHandler(failure -> LOG.debugf("request to %s failed: %s", service.serviceName(), failure));
        });
    }

    private final class Interceptor implements ProxyInterceptor {

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext pctx) {
            Exchange exchange = ContextLocals.<Exchange>get(EXCHANGE).orElseThrow();
            pctx.set(EXCHANGE, exchange);
            ProxyRequest request = pctx.request();
            HttpServerRequest incoming = request.proxiedRequest();
            prepare(request, incoming, exchange);

            Body body = request.getBody();
            if (body != null) {
                LimitedBody limited = new LimitedBody(body.stream(), exchange.bodyLimit,
                        () -> exchange.bodyTooLarge = true,
                        () -> armResponseTimeout(exchange),
                        failure -> exchange.clientFailed = true);
                request.setBody(Body.body(limited, body.length()));
            }
            return pctx.sendRequest().transform(ar -> {
                exchange.answered = true;
                if (exchange.timer >= 0) {
                    vertx.cancelTimer(exchange.timer);
                }
                if (ar.succeeded()) {
                    ProxyResponse response = ar.result();
                    int status = response.getStatusCode();
                    if (status == 502 || status == 503 || status == 504) {
                        exchange.permit.failure();
                        metrics.upstreamFailure(service, "status_" + status);
                    } else {
                        exchange.permit.success();
                    }
                    if (status == 404 && exchange.fallback != null) {
                        response.release(); // drop the 404's body: the fallback answers instead
                        return exchange.fallback.answerInstead(pctx.request(), exchange);
                    }
                    return Future.succeededFuture(response);
                }
                if (exchange.fallback != null && unreachable(exchange, ar.cause())) {
                    // the view's service is down or restarting: the command side answers the read meanwhile
                    exchange.permit.failure();
                    metrics.upstreamFailure(service, "unreachable");
                    LOG.warnf("%s %s: %s unreachable (%s), asking %s", exchange.ctx.request().method(),
                            exchange.ctx.normalizedPath(), service.serviceName(), ar.cause(),
                            exchange.fallback.service().serviceName());
                    return exchange.fallback.answerInstead(pctx.request(), exchange);
                }
                return Future.succeededFuture(failureResponse(pctx, exchange, ar.cause()));
            });
        }

        @Override
        public Future<Void> handleProxyResponse(ProxyContext pctx) {
            ProxyResponse response = pctx.response();
            MultiMap headers = response.headers();
            HOP_BY_HOP.forEach(headers::remove);
            String location = headers.get(HttpHeaders.LOCATION);
            if (location != null && location.regionMatches(true, 0, origin, 0, origin.length())) {
                // an absolute URL of the service itself: make it a path on the gateway
                String rest = location.substring(origin.length());
                if (!basePath.isEmpty() && rest.startsWith(basePath)) {
                    rest = rest.substring(basePath.length());
                }
                headers.set(HttpHeaders.LOCATION, rest.isEmpty() ? "/" : rest);
            }
            Exchange exchange = pctx.get(EXCHANGE, Exchange.class);
            if (exchange != null && exchange.route.service() != service) {
                // the route's own service was skipped (its circuit is open): say who answered instead
                headers.set("X-Counterfact-Source", service.serviceName());
            }
            return pctx.sendResponse();
        }
    }

    /**
     * A request the service never answered: refused, or the connection closed before an answer (an HTTP/1.1
     * connection that closes under a request in flight reports a {@link StreamResetException}: the service was
     * killed while it held the request, found by FaultCampaignIT (c)).
     */
    private static boolean unreachable(Exchange exchange, Throwable cause) {
        return !exchange.bodyTooLarge && !exchange.clientFailed && !exchange.timedOut
                && (cause instanceof ConnectException || connectionLost(cause));
    }

    private static boolean connectionLost(Throwable cause) {
        return cause instanceof HttpClosedException || cause instanceof StreamResetException;
    }

    /**
     * Asks this service the read another service answered 404 (a route's fallback: a view not built yet, see
     * {@code RouteTable}), with the same headers, and answers with what it says; its body is buffered (a fallback
     * serves small JSON reads). The answer is marked {@code X-Counterfact-Source} with this service's name.
     */
    Future<ProxyResponse> answerInstead(ProxyRequest request, Exchange exchange) {
        String query = exchange.ctx.request().query();
        RequestOptions options = new RequestOptions(target).setMethod(request.getMethod())
                .setURI(basePath + exchange.ctx.normalizedPath() + (query == null ? "" : "?" + query));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
        headers.remove(HttpHeaders.HOST);
        options.setHeaders(headers);
        return client.request(options)
                .compose(HttpClientRequest::send)
                .compose(answer -> answer.body().map(body -> {
                    ProxyResponse response = request.response().setStatusCode(answer.statusCode())
                            .setStatusMessage(answer.statusMessage());
                    response.headers().clear();
                    answer.headers().forEach(h -> {
                        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase()) && !"content-length".equalsIgnoreCase(h.getKey())
                                && !"transfer-encoding".equalsIgnoreCase(h.getKey())) {
                            response.headers().add(h.getKey(), h.getValue());
                        }
                    });
                    response.putHeader("X-Counterfact-Source", service.serviceName());
                    return response.setBody(Body.body(body));
                }))
                .recover(failure -> {
                    metrics.upstreamFailure(service, "fallback");
                    LOG.warnf("%s %s: fallback to %s failed: %s", request.getMethod(), exchange.ctx.normalizedPath(),
                            service.serviceName(), failure);
                    return Future.succeededFuture(request.response().setStatusCode(503)
                            .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                            .putHeader("Retry-After", "1")
                            .setBody(Body.body(Problems.body(503, "Service Unavailable", service.serviceName()
                                    + " could not be asked for what the view does not hold yet: " + failure.getMessage(),
                                    exchange.requestId, service.serviceName()))));
                });
    }

    private void prepare(ProxyRequest request, HttpServerRequest incoming, Exchange exchange) {
        MultiMap headers = request.headers();
        headers.remove(HttpHeaders.AUTHORIZATION);
        headers.remove(HttpHeaders.EXPECT); // the gateway answered 100-continue itself
        String token = InternalToken.issue(config.internal().secret(), exchange.key.name(), exchange.key.role(),
                exchange.requestId, config.internal().tokenTtl());
        headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        headers.set(RequestIds.HEADER, exchange.requestId);
        String traceparent = exchange.ctx.get(Tracing.HEADER);
        if (traceparent != null) {
            headers.set(Tracing.HEADER, traceparent); // the service's spans are children of the gateway's
        }
        String remote = incoming.remoteAddress() != null ? incoming.remoteAddress().hostAddress() : null;
        if (remote != null) {
            String forwarded = headers.get("X-Forwarded-For");
            headers.set("X-Forwarded-For", forwarded == null || forwarded.isBlank() ? remote : forwarded + ", " + remote);
        }
        HostAndPort authority = incoming.authority();
        if (authority != null) {
            request.setAuthority(authority);
            if (!headers.contains("X-Forwarded-Host")) {
                headers.set("X-Forwarded-Host", authority.toString());
            }
        }
        if (!headers.contains("X-Forwarded-Proto")) {
            headers.set("X-Forwarded-Proto", incoming.scheme() == null ? "http" : incoming.scheme());
        }
        String query = incoming.query();
        request.setURI(basePath + exchange.ctx.normalizedPath() + (query == null ? "" : "?" + query));
    }

    private void armResponseTimeout(Exchange exchange) {
        if (exchange.answered) {
            return;
        }
        long millis = Math.max(1, config.upstream().responseTimeout().toMillis());
        exchange.timer = vertx.setTimer(millis, id -> {
            HttpClientRequest request = exchange.upstreamRequest;
            if (!exchange.answered && request != null) {
                exchange.timedOut = true;
                request.reset(0, new TimeoutException(service.serviceName() + " did not answer within " + millis
                        + " ms"));
            }
        });
    }

    /** A problem answer for a request the service did not answer, and the circuit breaker's verdict on it. */
    private ProxyResponse failureResponse(ProxyContext pctx, Exchange exchange, Throwable cause) {
        String name = service.serviceName();
        int status;
        String title;
        String detail;
        String upstream = name;
        Map<String, String> extra = Map.of();
        if (exchange.bodyTooLarge) {
            exchange.permit.ignore();
            status = 413;
            title = "Content Too Large";
            detail = "request body exceeds " + exchange.bodyKind.describe(exchange.bodyLimit) + "; the upload was cut and "
                    + "its request to " + name + " aborted, so nothing of it is stored";
            upstream = null;
            metrics.rejected("too_large", exchange.route.name());
        } else if (exchange.clientFailed || exchange.ctx.response().closed()) {
            exchange.permit.ignore();
            status = 400;
            title = "Bad Request";
            detail = "the request body could not be read: the client closed the connection or sent a malformed body";
            upstream = null;
        } else if (exchange.timedOut) {
            exchange.permit.failure();
            metrics.upstreamFailure(service, "response_timeout");
            status = 504;
            title = "Gateway Timeout";
            detail = name + " did not answer within " + config.upstream().responseTimeout().toMillis() + " ms";
        } else if (cause instanceof ConnectTimeoutException) {
            exchange.permit.failure();
            metrics.upstreamFailure(service, "connect_timeout");
            status = 504;
            title = "Gateway Timeout";
            detail = "could not connect to " + name + " within " + config.upstream().connectTimeout().toMillis() + " ms";
        } else if (cause instanceof ConnectionPoolTooBusyException) {
            exchange.permit.ignore();
            metrics.upstreamFailure(service, "pool_busy");
            status = 503;
            title = "Service Unavailable";
            detail = "too many requests are waiting for a connection to " + name;
            extra = Map.of("Retry-After", "1");
        } else if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
            exchange.permit.failure();
            metrics.upstreamFailure(service, "unreachable");
            // down or restarting (ARCHITECTURE.md: 503 with Retry-After, never a 502 or a connection error)
            status = 503;
            title = "Service Unavailable";
            detail = name + " is unreachable: " + (cause instanceof UnknownHostException ? "unknown host"
                    : "connection refused");
            extra = Map.of("Retry-After", "1");
        } else if (cause instanceof TimeoutException) {
            exchange.permit.failure();
            metrics.upstreamFailure(service, "timeout");
            status = 504;
            title = "Gateway Timeout";
            detail = name + " timed out";
        } else if (connectionLost(cause)) {
            exchange.permit.failure();
            metrics.upstreamFailure(service, "closed");
            status = 503;
            title = "Service Unavailable";
            detail = name + " closed the connection before answering";
            extra = Map.of("Retry-After", "1");
        } else {
            // anything else on the way to the service: still "unavailable, retry", never a 502 (ARCHITECTURE.md)
            exchange.permit.failure();
            metrics.upstreamFailure(service, "error");
            status = 503;
            title = "Service Unavailable";
            detail = name + " could not be reached";
            extra = Map.of("Retry-After", "1");
        }
        if (status >= 500) {
            LOG.warnf("%s %s -> %d: %s (%s)", exchange.ctx.request().method(), exchange.ctx.normalizedPath(), status,
                    detail, cause);
        }
        Problems.closeWhenDrained(exchange.ctx, config.rejectLinger());
        ProxyResponse response = pctx.request().release().response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .setBody(Body.body(Problems.body(status, title, detail, exchange.requestId, upstream)));
        extra.forEach(response::putHeader);
        return response;
    }
}
