package io.counterfact.gateway.proxy;

import io.counterfact.gateway.config.GatewayConfig;
import io.counterfact.gateway.metrics.GatewayMetrics;
import io.counterfact.gateway.resilience.CircuitBreaker;
import io.counterfact.gateway.routing.Service;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Per service: its proxy (with its own HTTP client and pool) and its circuit breaker. */
@Singleton
public class Upstreams {

    private final Map<Service, UpstreamProxy> proxies = new EnumMap<>(Service.class);
    private final Map<Service, CircuitBreaker> breakers = new EnumMap<>(Service.class);

    public Upstreams(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
        for (Service service : Service.values()) {
            CircuitBreaker breaker = new CircuitBreaker(service.serviceName(),
                    config.circuitBreaker().failureThreshold(), config.circuitBreaker().openDuration(), System::nanoTime);
            breakers.put(service, breaker);
            metrics.circuit(breaker);
            proxies.put(service, new UpstreamProxy(service, vertx, config, metrics));
        }
    }

    public UpstreamProxy proxy(Service service) {
        return proxies.get(service);
    }

    public CircuitBreaker breaker(Service service) {
        return breakers.get(service);
    }

    public Map<Service, CircuitBreaker> breakers() {
        return Collections.unmodifiableMap(breakers);
    }

    @PreDestroy
    void close() {
        proxies.values().forEach(UpstreamProxy::close);
    }
}
