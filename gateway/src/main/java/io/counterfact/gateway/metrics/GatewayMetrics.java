package io.counterfact.gateway.metrics;

import io.counterfact.gateway.resilience.CircuitBreaker;
import io.counterfact.gateway.routing.Service;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code counterfact.gateway.requests} [{@code counterfact_gateway_requests_seconds_count|sum|max}] per
 *       {@code route} (datasets, views, estimations, dags, or none), {@code service}, {@code method} and
 *       {@code status}: request counts and latencies, from the first byte in to the last byte out;</li>
 *   <li>{@code counterfact.gateway.rejections} per {@code reason} (unauthenticated, forbidden, rate_limited,
 *       too_large, circuit_open, not_found) and {@code route};</li>
 *   <li>{@code counterfact.gateway.upstream.failures} per {@code service} and {@code kind};</li>
 *   <li>{@code counterfact.gateway.circuit.state} per {@code service}: 0 closed, 1 half-open, 2 open.</li>
 * </ul>
 * Tags take values from small fixed sets only (never a path or a key), so the series count stays bounded.
 */
@Singleton
public class GatewayMetrics {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final MeterRegistry registry;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void request(String route, String service, String method, int status, long nanos) {
        Timer.builder("counterfact.gateway.requests")
                .description("Requests through the gateway, by route")
                .tag("route", route)
                .tag("service", service)
                .tag("method", METHODS.contains(method) ? method : "OTHER")
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram(false)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rejected(String reason, String route) {
        Counter.builder("counterfact.gateway.rejections")
                .description("Requests the gateway refused itself")
                .tag("reason", reason)
                .tag("route", route)
                .register(registry)
                .increment();
    }

    public void upstreamFailure(Service service, String kind) {
        Counter.builder("counterfact.gateway.upstream.failures")
                .description("Calls a service did not answer, or answered 502/503/504")
                .tag("service", service.serviceName())
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    public void circuit(CircuitBreaker breaker) {
        Gauge.builder("counterfact.gateway.circuit.state", breaker, b -> switch (b.state()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                })
                .description("Circuit breaker state per service: 0 closed, 1 half-open, 2 open")
                .tag("service", breaker.name())
                .register(registry);
    }

    public void streams(java.util.function.Supplier<Number> open) {
        Gauge.builder("counterfact.gateway.streams.open", open)
                .description("Event streams (GET /api/views/events) open on this gateway pod")
                .register(registry);
    }
}
