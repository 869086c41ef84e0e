package io.counterfact.gateway.health;

import io.counterfact.gateway.proxy.Upstreams;
import io.counterfact.gateway.resilience.CircuitBreaker;
import io.smallrye.health.api.HealthGroup;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The services' circuits, at {@code /q/health/group/upstreams}: for people and dashboards, deliberately not a
 * readiness check. The gateway's readiness does not depend on the services: if it did, one service down would take
 * every gateway pod out of the load balancer, turning a partial outage (say, estimations) into a total one (no
 * dataset reads either), and clients would get connection errors instead of a 503 problem naming the service.
 * Per-service failures are the circuit breakers' job; readiness only says the gateway itself can take requests.
 */
@HealthGroup("upstreams")
@Singleton
public class UpstreamCircuits implements HealthCheck {

    private final Upstreams upstreams;

    public UpstreamCircuits(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("upstream circuits").up();
        upstreams.breakers().forEach((service, breaker) -> {
            builder.withData(service.serviceName(), breaker.state().name().toLowerCase());
            if (breaker.state() == CircuitBreaker.State.OPEN) {
                builder.down();
            }
        });
        return builder.build();
    }
}
